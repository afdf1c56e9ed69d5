import { describe, expect, it } from 'vitest';
import { addNote, castVote, storedVotesOf } from '../../shared/ops/board';
import { openVoting } from '../../shared/ops/live';
import { boardNotes, localOrigin, readLive, readNotes } from '../../shared/schema';
import { startChildServer, type ChildServer } from '../helpers/child-server';
import { mintPerson, SioClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { PG_URL, postgresAvailable, REDIS_URL, redisAvailable } from '../helpers/services';

/**
 * Issue 17 on two real instances (child processes) sharing PostgreSQL and
 * Redis: one person's votes stay within the limit whichever instances they
 * write through (R6), and the per-address and per-link limits count for the
 * cluster, not per instance (R7). Each test sends its own client address
 * (TRUST_PROXY=1, X-Forwarded-For), so their counts never mix.
 */
const available = (await postgresAvailable()) && (await redisAvailable());
const prefix = `plenary-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;

const LIMITS = {
  BOARDS_PER_ADDRESS: '4',
  PEOPLE_PER_ADDRESS: '6',
  PEOPLE_PER_LINK: '8',
  QUESTIONS_PER_ADDRESS: '4',
};

async function pair(): Promise<[ChildServer, ChildServer]> {
  const env = { DATABASE_URL: PG_URL, REDIS_URL, REDIS_PREFIX: prefix, TRUST_PROXY: '1', ...LIMITS };
  return Promise.all([startChildServer(env), startChildServer(env)]);
}

interface Board {
  id: string;
  tokens: Record<'organizer' | 'participant' | 'viewer', string>;
}

const post = (url: string, address: string, body: unknown, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': address,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });

async function createBoard(server: ChildServer, address: string): Promise<Board> {
  const res = await post(`${server.url}/api/boards`, address, { title: 'Cluster' });
  expect(res.status).toBe(201);
  return (await res.json()) as Board;
}

describe.runIf(available)('issue 17 on two instances (PostgreSQL + Redis)', () => {
  it('R6: 3 rounds of 6 simultaneous votes of one person, 3 through each instance: exactly 3 stored each round', async () => {
    const [a, b] = await pair();
    const board = await createBoard(a, '198.51.100.1');
    const org = await mintPerson(a.url, board.id, board.tokens.organizer, 'Olga');
    const vera = await mintPerson(a.url, board.id, board.tokens.participant, 'Vera');
    const join = (server: ChildServer, role: 'organizer' | 'participant', identity: Identity) =>
      new SioClient(server.url, { board: board.id, token: board.tokens[role] }, { identity });
    const organizer = join(a, 'organizer', org);
    const watcher = join(b, 'organizer', org);
    await eventually(() => expect(organizer.synced.size + watcher.synced.size).toBe(6), { timeout: 10_000 });
    const notes = Array.from({ length: 6 }, (_, i) =>
      addNote(
        organizer.docs.board,
        { text: `idea ${i}`, x: i * 200, y: 0, authorId: org.userId, authorName: 'Olga', itemId: null },
        localOrigin(org.userId),
      ),
    );
    openVoting(organizer.docs.agenda, 3, localOrigin(org.userId));
    await eventually(() => expect(readNotes(watcher.docs.board)).toHaveLength(6), { timeout: 10_000 });
    const stored = (c: SioClient) => storedVotesOf(c.docs.board, vera.userId);

    for (let round = 1; round <= 3; round++) {
      const viaA = join(a, 'participant', vera);
      const viaB = join(b, 'participant', vera);
      await eventually(
        () => {
          for (const c of [viaA, viaB]) {
            expect(c.synced.size).toBe(3);
            expect(readLive(c.docs.agenda).votingOpen).toBe(true);
            expect(readNotes(c.docs.board)).toHaveLength(6);
            expect(stored(c)).toBe(0);
          }
        },
        { timeout: 10_000 },
      );
      // The same moment: three votes through each instance, each its own update.
      const live = { votingOpen: true, votesPerPerson: 3 };
      for (const [i, id] of notes.entries())
        castVote((i < 3 ? viaA : viaB).docs.board, id, vera.userId, live, localOrigin(vera.userId));
      await eventually(() => expect(viaA.acks.length + viaB.acks.length).toBe(6), { timeout: 10_000 });
      const accepted = [...viaA.acks, ...viaB.acks].filter((r) => r.ok).length;
      // What both instances hold once everything travelled (each reader joined one of them).
      await eventually(
        () => {
          expect(stored(organizer)).toBe(3);
          expect(stored(watcher)).toBe(3);
        },
        { timeout: 10_000 },
      );
      expect(accepted).toBe(3);
      process.stdout.write(
        `R6 round ${round}: ${accepted} of 6 votes accepted (A ${viaA.acks.filter((r) => r.ok).length}, B ${viaB.acks.filter((r) => r.ok).length})\n`,
      );
      viaA.close();
      viaB.close();
      // The organizer clears the round's votes (an organizer may remove anyone's).
      organizer.docs.board.transact(() => {
        boardNotes(organizer.docs.board).forEach((m) => {
          const votes = m.get('votes');
          if (votes && typeof (votes as { delete?: unknown }).delete === 'function')
            (votes as { delete(k: string): void }).delete(vera.userId);
        });
      }, localOrigin(org.userId));
      await eventually(() => expect(stored(watcher)).toBe(0), { timeout: 10_000 });
    }
    organizer.close();
    watcher.close();
  });

  it('R7: new boards, identities and questions per address and per link are counted for both instances together', async () => {
    const [a, b] = await pair();
    const both = [a, b];
    // Boards (BOARDS_PER_ADDRESS 4): two through each instance, then neither takes a fifth.
    const address = '198.51.100.7';
    const boards: Board[] = [];
    for (let i = 0; i < 4; i++) boards.push(await createBoard(both[i % 2]!, address));
    for (const s of both) {
      const res = await post(`${s.url}/api/boards`, address, { title: 'one too many' });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another address is not affected.
    await createBoard(b, '198.51.100.8');

    // Identities per address (PEOPLE_PER_ADDRESS 6): three through each, then a seventh is refused.
    const board = boards[0]!;
    const mint = (s: ChildServer, from: string, token = board.tokens.participant, on = board) =>
      post(`${s.url}/api/boards/${on.id}/people`, from, { name: 'P' }, token);
    for (let i = 0; i < 6; i++) expect((await mint(both[i % 2]!, '198.51.100.9')).status).toBe(201);
    for (const s of both) expect((await mint(s, '198.51.100.9')).status).toBe(429);

    // Identities per link (PEOPLE_PER_LINK 8, the viewer link): from other addresses, both instances.
    for (let i = 0; i < 8; i++)
      expect((await mint(both[i % 2]!, `198.51.100.${20 + i}`, board.tokens.viewer)).status).toBe(201);
    const perLink = await mint(b, '198.51.100.40', board.tokens.viewer);
    expect(perLink.status).toBe(429);
    expect(await perLink.text()).toMatch(/for this link/);

    // Questions per address and board (QUESTIONS_PER_ADDRESS 4), each by another person.
    const other = boards[1]!;
    const asked: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = both[i % 2]!;
      const minted = await mint(s, `198.51.100.${50 + i}`, other.tokens.participant, other);
      expect(minted.status).toBe(201);
      const person = (await minted.json()) as Identity;
      const res = await fetch(`${s.url}/api/boards/${other.id}/questions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${other.tokens.participant}`,
          'x-forwarded-for': '198.51.100.60',
          'x-plenary-user': person.userId,
          'x-plenary-key': person.key,
        },
        body: JSON.stringify({ text: `question ${i}` }),
      });
      asked.push(res.status);
    }
    expect(asked).toEqual([201, 201, 201, 201, 429]);
  });
});
