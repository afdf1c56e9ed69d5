/**
 * The rule gate's own cost (docs/SPEC.md G1–G5), in process: honest updates
 * checked against a board at its note limit, and the worst messages an
 * attacker holding a participant link can send, each timed as gate + apply
 * (what one message costs the event loop). Printed by `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { BOARD_LIMITS, type Actor } from '../shared/policy';
import { addNote, arrangeByTalk, castVote, noteText } from '../shared/ops/board';
import { boardNotes, localOrigin, type LiveState, DEFAULT_LIVE } from '../shared/schema';
import { checkUpdate, ClientIds } from '../server/sync/gate';

type Conn = { id: string };

const participant: Actor & { name: string } = {
  role: 'participant',
  userId: 'p1',
  pseudonym: 'anon-p1',
  issued: true,
  name: 'Pat',
};
const organizer: Actor & { name: string } = { ...participant, role: 'organizer', userId: 'o1', name: 'Org' };
const live: LiveState = { ...DEFAULT_LIVE, votingOpen: true, votesPerPerson: 5 };

/** A server document at the note limit, and a client in sync with it. */
function fullBoard(notes: number): { server: Y.Doc; client: Y.Doc } {
  const server = new Y.Doc();
  const author = new Y.Doc();
  const o = localOrigin('seed');
  for (let i = 0; i < notes; i++) {
    addNote(
      author,
      {
        id: `n${i}`,
        text: `note ${i} about something said in a talk`,
        x: (i % 100) * 210,
        y: Math.floor(i / 100) * 150,
        authorId: i % 2 ? 'p1' : 'p2',
        authorName: 'Someone',
        itemId: null,
        createdAt: i,
      },
      o,
    );
  }
  Y.applyUpdate(server, Y.encodeStateAsUpdate(author));
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { server, client };
}

/** The update `fn` makes on `client`. */
function updateOf(client: Y.Doc, fn: () => void): Uint8Array {
  const parts: Uint8Array[] = [];
  const on = (u: Uint8Array): void => void parts.push(u);
  client.on('update', on);
  fn();
  client.off('update', on);
  return parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
}

function check(server: Y.Doc, actor: Actor & { name: string }, update: Uint8Array, conn: Conn = { id: 'c' }) {
  return checkUpdate(
    {
      kind: 'board',
      doc: server,
      conn,
      actor,
      live,
      limits: BOARD_LIMITS,
      clientIds: new ClientIds<Conn>(),
      docBytes: 0,
    },
    update,
  );
}

/** Median µs of `fn` over `n` runs. */
function micros(n: number, fn: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    t.push((performance.now() - s) * 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(n / 2)]!;
}

/**
 * ms of gate + apply for one message on a fresh copy of `server` (the
 * message's whole cost to the event loop): the median of 5 tries.
 */
function messageMs(
  server: Y.Doc,
  actor: Actor & { name: string },
  update: Uint8Array,
): { ms: number; gateMs: number; refused: string } {
  const state = Y.encodeStateAsUpdate(server);
  const runs: { ms: number; gateMs: number; refused: string }[] = [];
  for (let i = 0; i < 5; i++) {
    const copy = new Y.Doc();
    Y.applyUpdate(copy, state);
    const s = performance.now();
    const refusal = check(copy, actor, update);
    const gateMs = performance.now() - s;
    if (!refusal) Y.applyUpdate(copy, update);
    runs.push({ ms: performance.now() - s, gateMs, refused: refusal?.code ?? 'accepted' });
    copy.destroy();
  }
  runs.sort((a, b) => a.ms - b.ms);
  return runs[2]!;
}

/** A client in sync with `server`, for one honest change. */
function freshClient(server: Y.Doc): Y.Doc {
  const d = new Y.Doc();
  Y.applyUpdate(d, Y.encodeStateAsUpdate(server));
  return d;
}

export async function runGateBench(say: (line: string) => void): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  // One note below the limit, so that a new note is still allowed.
  const { server } = fullBoard(BOARD_LIMITS.notes - 1);
  let client = freshClient(server);
  say(`  board: ${BOARD_LIMITS.notes - 1} notes, ${Y.encodeStateAsUpdate(server).byteLength} bytes`);

  // Honest updates, checked (not applied) against the full board.
  const typing = updateOf(client, () => noteText(client, 'n1')!.insert(3, 'x'));
  out.typingUs = micros(2000, () => check(server, participant, typing));
  say(
    `  (honest refusals, expected none: ${[typing].map((u) => check(server, participant, u)?.code ?? 'ok')})`,
  );
  client = freshClient(server);
  const vote = updateOf(client, () => castVote(client, 'n7', 'p1', live, localOrigin('p1')));
  out.voteUs = micros(500, () => check(server, participant, vote));
  client = freshClient(server);
  const create = updateOf(client, () =>
    addNote(
      client,
      { text: 'new', x: 1, y: 1, authorId: 'p1', authorName: 'Pat', itemId: null },
      localOrigin('p1'),
    ),
  );
  out.newNoteUs = micros(500, () => check(server, participant, create));
  // Arranging a full board: several updates of at most ARRANGE_CHUNK notes; the slowest one counts.
  client = freshClient(server);
  const chunks: Uint8Array[] = [];
  const onChunk = (u: Uint8Array): void => void chunks.push(u);
  client.on('update', onChunk);
  arrangeByTalk(client, [], localOrigin('o1'));
  client.off('update', onChunk);
  let arr = { ms: 0, gateMs: 0, refused: 'accepted' };
  let at = server;
  for (const chunk of chunks) {
    const r = messageMs(at, organizer, chunk);
    if (r.ms > arr.ms || r.refused !== 'accepted') arr = r;
    at = freshClient(at);
    Y.applyUpdate(at, chunk);
  }
  out.arrangeAllMs = arr.ms;
  say(
    `  (honest refusals, expected none: ${[vote, create].map((u) => check(server, participant, u)?.code ?? 'ok')})`,
  );
  for (const [k, v] of Object.entries({
    typingUs: 'typing a character',
    voteUs: 'a vote',
    newNoteUs: 'a new note',
  }))
    say(`  gate, ${v}: ${(out[k] as number).toFixed(1)} µs per update`);
  say(
    `  organizer arranges all ${BOARD_LIMITS.notes - 1} notes (${chunks.length} updates): slowest ${arr.ms.toFixed(1)} ms gate + apply (${arr.refused})`,
  );

  // Attacks: gate + apply of one message each.
  const attacks: Record<string, Uint8Array> = {};
  {
    // One-element inserts at one position, each under a fresh client id.
    const d = new Y.Doc();
    Y.applyUpdate(d, Y.encodeStateAsUpdate(server));
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      d.clientID = 1_000_000 + i;
      parts.push(updateOf(d, () => noteText(d, 'n3')!.insert(0, 'x')));
    }
    attacks.freshClientIds = Y.mergeUpdates(parts);
  }
  {
    // The same with one client id: 2,000 inserts between the first and the last character.
    const d = new Y.Doc();
    Y.applyUpdate(d, Y.encodeStateAsUpdate(server));
    d.clientID = 4242;
    const t = noteText(d, 'n5')!;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 1900; i++) parts.push(updateOf(d, () => t.insert(1, 'y')));
    attacks.oneClientConflicts = Y.mergeUpdates(parts);
  }
  {
    // ~980 KB whose first part is missing (would be kept as pending structs).
    const d = new Y.Doc();
    Y.applyUpdate(d, Y.encodeStateAsUpdate(server));
    d.clientID = 777;
    updateOf(d, () => noteText(d, 'n9')!.insert(0, 'first'));
    attacks.missingFirstPart = updateOf(d, () => {
      for (let i = 0; i < 490; i++) d.getMap('notes').set(`z${i}`, 'x'.repeat(2000));
    });
  }
  {
    // JSON content nested 5,000 arrays deep.
    let v: unknown = 1;
    for (let i = 0; i < 5000; i++) v = [v];
    const d = new Y.Doc();
    Y.applyUpdate(d, Y.encodeStateAsUpdate(server));
    attacks.deepJson = updateOf(d, () => boardNotes(d).get('n11')!.set('group', v));
  }
  for (const [name, update] of Object.entries(attacks)) {
    const r = messageMs(server, participant, update);
    out[`${name}Ms`] = r.ms;
    out[`${name}Result`] = r.refused;
    say(
      `  attack ${name} (${(update.byteLength / 1024).toFixed(0)} KB): ${r.ms.toFixed(1)} ms (gate ${r.gateMs.toFixed(1)} ms), ${r.refused}`,
    );
  }
  return out;
}
