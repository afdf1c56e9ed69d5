/**
 * Heavy work against a live workshop (issue 17, item 1): a real server (the
 * compiled build, as `npm start` runs it) in a child process; one board filled
 * to its limits (5,000 notes of 1,900 characters) by a real Socket.io client;
 * another small board where one person moves a note every 50 ms and a second
 * person's client times the echo. Then the loads, each for 8 s:
 * a viewer link keeping 6 exports in flight, and the organizer keeping 4
 * `POST /groups/suggest` in flight. A refused request (503/429) is sent again
 * 100 ms later whatever its Retry-After says, as an impatient client would.
 *
 * Run alone with `npx tsx bench/heavy.ts`; `npm run bench` runs it too. To compare with another
 * commit in the same sitting (the machine's load moves), build that commit's server inside the
 * repository and name its entry: `git archive <commit> | tar -x -C bench/results/before-src &&
 * node bench/results/before-src/scripts/build-server.mjs --outdir bench/results/build/before &&
 * HEAVY_BENCH_ENTRY=bench/results/build/before/main.js npx tsx bench/heavy.ts`.
 * It never passes or fails: docs/benchmarks.md keeps the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import * as decoding from 'lib0/decoding';
import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import { TEST_SECRET } from '../server/config';
import {
  MESSAGE,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type UpdateAck,
} from '../shared/protocol';
import { readSyncFrame, syncStep1Frame, updateFrame } from '../shared/protocol/frames';
import { addNote, moveNote } from '../shared/ops/board';
import { DOC_KINDS, localOrigin, ROOTS, type DocKind } from '../shared/schema';
import { readMemory } from './proc';
import { Samples, summarize, type LatencySummary } from './stats';
import { REPO_ROOT } from './targets';

const NOTES = 5000;
const NOTE_CHARS = 1900;
/** Notes per update while filling: about 0.6 MB, under MAX_MESSAGE_BYTES. */
const FILL_BATCH = 300;
const LOAD_MS = 8000;
const MOVE_EVERY_MS = 50;
const HEALTH_EVERY_MS = 100;
const RETRY_AFTER_REFUSAL_MS = 100;
/** A move the other person has not seen after this long counts as lost. */
const LOST_AFTER_MS = 30_000;

const FROM_SERVER = Symbol('server');
const say = (s = ''): void => void process.stdout.write(`${s}\n`);

interface Board {
  id: string;
  tokens: Record<'organizer' | 'participant' | 'viewer', string>;
}

interface Child {
  proc: ChildProcess;
  url: string;
  output: () => string;
}

/** Compiles the server (scripts/build-server.mjs) into a temporary folder and starts it. */
async function startCompiledServer(dataDir: string): Promise<Child> {
  // Inside the repository: the bundle imports its packages from node_modules.
  const outdir = path.join(REPO_ROOT, 'bench/results/build/heavy');
  // HEAVY_BENCH_ENTRY: a server built elsewhere (another commit's, for a before/after in one sitting).
  const entry = process.env.HEAVY_BENCH_ENTRY ?? path.join(outdir, 'main.js');
  if (!process.env.HEAVY_BENCH_ENTRY)
    await run(process.execPath, ['scripts/build-server.mjs', '--outdir', outdir]);
  const proc = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO_BOARD: '0',
      CLIENT_DIR: '',
      LOG_LEVEL: 'warn',
      PLENARY_SECRET: TEST_SECRET,
      // Only the filling client needs these; the loads below run under the default limits.
      BYTES_PER_SECOND: String(64 * 1024 * 1024),
      MESSAGES_PER_SECOND: '10000',
      // All loads come from this one address, one after the other: per address they would share
      // one window, so the second load would meet the first one's limit. Per link (each load has
      // a link of its own) the default bounds hold.
      HEAVY_PER_ADDRESS: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      const m = /running at http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return { proc, url: `http://127.0.0.1:${port}`, output: () => out };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${code}`))));
  });
}

async function api<T>(url: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A person on a board with a full copy of its documents (a real socket.io-client). */
class Person {
  readonly docs = Object.fromEntries(DOC_KINDS.map((k) => [k, new Y.Doc()])) as Record<DocKind, Y.Doc>;
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly synced: Promise<void>;
  userId = '';
  name = '';
  /** Why the server closed this connection, if it did. */
  dropped: string | null = null;
  private readonly acks: ((a: UpdateAck) => void)[] = [];

  constructor(url: string, board: string, token: string, identity: { userId: string; key: string }) {
    this.userId = identity.userId;
    this.socket = io(url, {
      auth: { board, token, name: 'Bench', ...identity },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    let markSynced = (): void => {};
    this.synced = new Promise((resolve) => (markSynced = resolve));
    this.socket.on('session', (info) => {
      this.name = info.name;
      this.socket.emit('y', 'board', syncStep1Frame(this.docs.board));
    });
    this.socket.on('disconnect', (reason) => (this.dropped ??= reason));
    this.socket.on('y', (kind, frame) => {
      if (kind !== 'board') return;
      const decoder = decoding.createDecoder(new Uint8Array(frame));
      if (decoding.readVarUint(decoder) !== MESSAGE.sync) return;
      const { type, reply } = readSyncFrame(decoder, this.docs.board, FROM_SERVER);
      if (type === 1) markSynced();
      if (reply) this.socket.emit('y', 'board', reply);
    });
    this.docs.board.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === FROM_SERVER) return;
      this.socket.emit('y', 'board', updateFrame(update), (a) => this.acks.shift()?.(a));
    });
  }

  /** Runs `fn` on the board document and waits until the server stored (or refused) it. */
  async write(fn: (doc: Y.Doc) => void): Promise<void> {
    const ack = new Promise<UpdateAck>((resolve) => this.acks.push(resolve));
    this.docs.board.transact(() => fn(this.docs.board), localOrigin(this.userId));
    const a = await ack;
    if (!a.ok) throw new Error(`update refused: ${a.error ?? 'no reason'}`);
  }

  close(): void {
    this.socket.disconnect();
    for (const d of Object.values(this.docs)) d.destroy();
  }
}

async function join(url: string, board: Board, role: keyof Board['tokens']): Promise<Person> {
  const identity = await api<{ userId: string; key: string }>(`${url}/api/boards/${board.id}/people`, {
    method: 'POST',
    token: board.tokens[role],
    body: JSON.stringify({ name: `Bench ${role}` }),
  });
  const p = new Person(url, board.id, board.tokens[role], identity);
  await p.synced;
  return p;
}

/** Background probes: note-move echoes on the small board and /healthz. */
class Probes {
  echo = new Samples();
  health = new Samples();
  healthFailures = 0;
  /** Moves not seen by the other person within LOST_AFTER_MS. */
  lostEchoes = 0;
  private stopped = false;
  private done: Promise<void>[] = [];

  constructor(
    readonly url: string,
    private readonly mover: Person,
    private readonly watcher: Person,
    private readonly noteId: string,
  ) {}

  start(): void {
    this.stopped = false;
    this.echo = new Samples();
    this.health = new Samples();
    this.healthFailures = 0;
    this.lostEchoes = 0;
    this.done = [this.moves(), this.healthz()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.done);
  }

  private async moves(): Promise<void> {
    const notes = this.watcher.docs.board.getMap(ROOTS.board.notes);
    let x = 0;
    while (!this.stopped) {
      x = (x + 1) % 10_000;
      const target = x;
      const sent = performance.now();
      const seen = new Promise<void>((resolve) => {
        const check = (): void => {
          const n = notes.get(this.noteId) as Y.Map<unknown> | undefined;
          if (n?.get('x') === target) {
            notes.unobserveDeep(check);
            resolve();
          }
        };
        notes.observeDeep(check);
      });
      moveNote(this.mover.docs.board, this.noteId, target, 0, localOrigin(this.mover.userId));
      if (!(await Promise.race([seen.then(() => true), sleep(LOST_AFTER_MS).then(() => false)]))) {
        this.lostEchoes++;
        continue;
      }
      this.echo.add(performance.now() - sent);
      await sleep(MOVE_EVERY_MS);
    }
  }

  private async healthz(): Promise<void> {
    while (!this.stopped) {
      const t = performance.now();
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.ok) this.health.add(performance.now() - t);
        else this.healthFailures++;
      } catch {
        this.healthFailures++;
      }
      await sleep(HEALTH_EVERY_MS);
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LoadFigures {
  load: string;
  echo: LatencySummary;
  healthz: LatencySummary;
  statuses: Record<string, number>;
  /** Refusals (503/429) without a Retry-After header. */
  refusedWithoutRetryAfter: number;
  healthFailures: number;
  lostEchoes: number;
  slowestHeavyMs: number;
  /** The server's own longest event-loop delay during the load (its /metrics), ms; null if unread. */
  serverLoopMaxMs: number | null;
  heavy200: LatencySummary;
  peakRssMB: number;
}

/** Keeps `inFlight` requests from `next()` going for LOAD_MS while the probes run. */
async function underLoad(
  name: string,
  probes: Probes,
  pid: number,
  inFlight: number,
  next: (i: number) => () => Promise<Response>,
): Promise<LoadFigures> {
  const statuses: Record<string, number> = {};
  const ok = new Samples();
  let refusedWithoutRetryAfter = 0;
  let slowest = 0;
  // Reading the server's metrics resets its event-loop delay histogram (prom-client): start afresh.
  await serverLoopMax(probes.url);
  let peak = readMemory(pid).rssBytes;
  const sampler = setInterval(() => (peak = Math.max(peak, readMemory(pid).rssBytes)), 100);
  probes.start();
  const until = performance.now() + LOAD_MS;
  const lanes = Array.from({ length: inFlight }, async (_, lane) => {
    for (let i = lane; performance.now() < until; i += inFlight) {
      const t = performance.now();
      let status = 'error';
      try {
        const res = await next(i)();
        await res.arrayBuffer();
        status = String(res.status);
        const ms = performance.now() - t;
        slowest = Math.max(slowest, ms);
        if (res.status === 200) ok.add(ms);
        if ((res.status === 503 || res.status === 429) && !res.headers.get('retry-after'))
          refusedWithoutRetryAfter++;
        if (res.status !== 200) await sleep(RETRY_AFTER_REFUSAL_MS);
      } catch {
        await sleep(RETRY_AFTER_REFUSAL_MS);
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  });
  await Promise.all(lanes);
  // With no lanes (the idle run) the probes still get the whole period.
  await sleep(Math.max(0, until - performance.now()));
  await probes.stop();
  clearInterval(sampler);
  const serverLoopMaxMs = await serverLoopMax(probes.url);
  return {
    load: name,
    echo: summarize(probes.echo),
    healthz: summarize(probes.health),
    statuses,
    refusedWithoutRetryAfter,
    healthFailures: probes.healthFailures,
    lostEchoes: probes.lostEchoes,
    slowestHeavyMs: Math.round(slowest),
    serverLoopMaxMs,
    heavy200: summarize(ok),
    peakRssMB: Math.round(peak / 2 ** 20),
  };
}

/**
 * The server's longest event-loop delay since the last read (`plenary_nodejs_eventloop_lag_max_seconds`
 * of /metrics, open to loopback): tells the server's own stalls from this process's.
 */
async function serverLoopMax(url: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^plenary_nodejs_eventloop_lag_max_seconds\s+([\d.e+-]+)/m.exec(text);
    return m ? Math.round(Number(m[1]) * 1000) : null;
  } catch {
    return null;
  }
}

const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');

function print(f: LoadFigures): void {
  say(`  ${f.load}`);
  say(
    `    echo on another board: p50 ${ms(f.echo.p50)}, p95 ${ms(f.echo.p95)}, max ${ms(f.echo.max)} (${f.echo.count} moves)`,
  );
  say(
    `    /healthz: p95 ${ms(f.healthz.p95)}, max ${ms(f.healthz.max)} (${f.healthz.count} probes)` +
      (f.healthFailures ? `; ${f.healthFailures} FAILED` : '') +
      (f.lostEchoes ? `; ${f.lostEchoes} moves never echoed` : ''),
  );
  const counts = Object.entries(f.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(', ');
  if (counts) {
    say(
      `    heavy requests: ${counts}; 200s p50 ${ms(f.heavy200.p50)}, slowest answer ${ms(f.slowestHeavyMs)}` +
        (f.refusedWithoutRetryAfter ? `; ${f.refusedWithoutRetryAfter} refusals WITHOUT Retry-After` : ''),
    );
  }
  say(
    `    server RSS peak: ${f.peakRssMB} MB; the server's longest event-loop delay: ${f.serverLoopMaxMs ?? 'n/a'} ms`,
  );
}

export async function runHeavyBench(out: (s?: string) => void = say): Promise<LoadFigures[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'plenary-heavy-'));
  const child = await startCompiledServer(dataDir);
  const pid = child.proc.pid!;
  const people: Person[] = [];
  let stopping = false;
  try {
    const create = (title: string): Promise<Board> =>
      api<Board>(`${child.url}/api/boards`, { method: 'POST', body: JSON.stringify({ title }) });
    const full = await create('Full board');
    const small = await create('Live workshop');

    const filler = await join(child.url, full, 'organizer');
    people.push(filler);
    const text = 'x'.repeat(NOTE_CHARS - 10);
    const t0 = performance.now();
    for (let done = 0; done < NOTES; done += FILL_BATCH) {
      await filler.write((d) => {
        for (let i = done; i < Math.min(NOTES, done + FILL_BATCH); i++)
          addNote(
            d,
            {
              text: `${String(i).padStart(9, '0')} ${text}`,
              x: (i % 100) * 210,
              y: Math.floor(i / 100) * 150,
              authorId: filler.userId,
              authorName: 'Filler',
              itemId: null,
            },
            localOrigin(filler.userId),
          );
      });
    }
    out(
      `  board filled: ${NOTES} notes of ${NOTE_CHARS} characters in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const mover = await join(child.url, small, 'participant');
    const watcher = await join(child.url, small, 'participant');
    people.push(mover, watcher);
    let noteId = '';
    await mover.write((d) => {
      noteId = addNote(
        d,
        { text: 'moved around', x: 0, y: 0, authorId: mover.userId, authorName: mover.name, itemId: null },
        localOrigin(mover.userId),
      );
    });
    const probes = new Probes(child.url, mover, watcher, noteId);

    const figures: LoadFigures[] = [];
    child.proc.once(
      'exit',
      (code, signal) =>
        stopping ||
        out(`  THE SERVER STOPPED (${code ?? signal}):\n${child.output().split('\n').slice(-15).join('\n')}`),
    );
    figures.push(await underLoad('idle (no heavy load)', probes, pid, 0, () => () => fetch(child.url)));
    print(figures.at(-1)!);

    const exportsOf = ['board.svg', 'export.json', 'notes.csv', 'export.md'];
    figures.push(
      await underLoad(
        'a viewer link keeps 6 exports in flight',
        probes,
        pid,
        6,
        (i) => () =>
          fetch(`${child.url}/api/boards/${full.id}/${exportsOf[i % exportsOf.length]}`, {
            headers: { authorization: `Bearer ${full.tokens.viewer}` },
          }),
      ),
    );
    print(figures.at(-1)!);

    figures.push(
      await underLoad(
        'the organizer keeps 4 POST /groups/suggest in flight',
        probes,
        pid,
        4,
        () => () =>
          fetch(`${child.url}/api/boards/${full.id}/groups/suggest`, {
            method: 'POST',
            headers: { authorization: `Bearer ${full.tokens.organizer}`, 'content-type': 'application/json' },
            body: '{}',
          }),
      ),
    );
    print(figures.at(-1)!);
    for (const [who, p] of [
      ['the mover', mover],
      ['the watcher', watcher],
    ] as const)
      if (p.dropped) out(`  ${who} was disconnected: ${p.dropped}`);
    return figures;
  } catch (e) {
    out(`  server output (tail):\n${child.output().split('\n').slice(-20).join('\n')}`);
    throw e;
  } finally {
    for (const p of people) p.close();
    stopping = true;
    child.proc.kill('SIGTERM');
    await new Promise((r) => (child.proc.exitCode === null ? child.proc.once('exit', r) : r(null)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  say(`== Heavy work beside a live workshop (bench/heavy.ts; ${os.availableParallelism()} CPUs) ==`);
  runHeavyBench().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
