import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newId } from '../shared/schema';
import type { Endpoint } from './link';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const TARGETS = ['socketio', 'ywebsocket', 'reference'] as const;
export type TargetName = (typeof TARGETS)[number];

export const TARGET_LABEL: Record<TargetName, string> = {
  socketio: 'Plenary, Socket.io',
  ywebsocket: 'Plenary, y-websocket endpoint',
  reference: '@y/websocket-server 0.1.1',
};

/** One fresh document on a running target, and how each bench client reaches it. */
export interface RoomAccess {
  endpoint(name: string): Endpoint;
  /**
   * A writer's endpoint and the id it writes notes under. Plenary issues a
   * person (`POST /api/boards/:id/people`): the rule gate accepts a note only
   * under its author's own id. The reference has no identities (null: any id).
   */
  writer(name: string): Promise<{ endpoint: Endpoint; userId: string | null }>;
}

export interface RunningTarget {
  name: TargetName;
  pid: number;
  port: number;
  newRoom(): Promise<RoomAccess>;
  /** The tail of the process's stdout and stderr (its warnings explain misses). */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its data dir. */
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Write a V8 CPU profile of our server into this folder (`node --cpu-prof`). */
  cpuProfileDir?: string;
  startTimeoutMs?: number;
}

/** Where the bench builds the server it measures (bench/results is not committed). */
const BUILD_DIR = path.join(REPO_ROOT, 'bench/results/build/server');
let built = false;

/**
 * Plenary as production runs it (`npm start`, the Docker image): the compiled
 * server (scripts/build-server.mjs) on plain node, built once per bench run.
 */
function compiledServer(): string {
  if (!built) {
    execFileSync(process.execPath, ['scripts/build-server.mjs', '--outdir', BUILD_DIR], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    built = true;
  }
  return path.join(BUILD_DIR, 'main.js');
}

/** Every child we started, so that an error or Ctrl-C never leaves a server behind. */
const children = new Set<ChildProcess>();

export function killAllChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

interface Spawned {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

function spawnChild(args: string[], env: Record<string, string>, cwd: string, unset: string[] = []): Spawned {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of unset) delete fullEnv[k];
  const proc = spawn(process.execPath, args, {
    cwd,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  // Keep only the tail: enough to explain a failure, bounded for long runs.
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-16_384);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      children.delete(proc);
      resolve();
    }),
  );
  return { proc, output: () => out, exited };
}

function waitForLine(s: Spawned, pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${s.output()}`)),
      timeoutMs,
    );
    const check = (): void => {
      const m = pattern.exec(s.output());
      if (!m) return;
      clearTimeout(timer);
      s.proc.stdout!.off('data', check);
      resolve(m);
    };
    s.proc.stdout!.on('data', check);
    void s.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${what} exited during start:\n${s.output()}`));
    });
  });
}

async function stopChild(s: Spawned, dataDir: string | null): Promise<void> {
  if (s.proc.exitCode === null && s.proc.signalCode === null) {
    s.proc.kill('SIGTERM');
    const killed = setTimeout(() => s.proc.kill('SIGKILL'), 10_000);
    await s.exited;
    clearTimeout(killed);
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/** A free port for the reference server, which has no port-0 mode that reports back. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface CreatedBoard {
  id: string;
  tokens: { organizer: string; participant: string; viewer: string };
}

async function createBoard(port: number): Promise<CreatedBoard> {
  const res = await fetch(`http://127.0.0.1:${port}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Benchmark board' }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201) throw new Error(`creating a board failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as CreatedBoard;
  if (typeof body.id !== 'string' || typeof body.tokens?.participant !== 'string') {
    throw new Error('creating a board: unexpected answer');
  }
  return body;
}

async function mintPerson(
  port: number,
  boardId: string,
  token: string,
  name: string,
): Promise<{ userId: string; key: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/boards/${boardId}/people`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name }),
  });
  const body = (await res.json()) as { userId?: unknown; key?: unknown };
  if (res.status !== 201 || typeof body.userId !== 'string' || typeof body.key !== 'string')
    throw new Error(`issuing a person: ${res.status}`);
  return { userId: body.userId, key: body.key };
}

async function startPlenary(name: 'socketio' | 'ywebsocket', opts: TargetOptions): Promise<RunningTarget> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-bench-'));
  const prof = opts.cpuProfileDir ? [`--cpu-prof`, `--cpu-prof-dir=${opts.cpuProfileDir}`] : [];
  const child = spawnChild(
    [...prof, '--enable-source-maps', compiledServer()],
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO_BOARD: '0',
      CLIENT_DIR: '',
      LOG_LEVEL: 'warn',
      // Every bench client comes from 127.0.0.1: the per-address limit (I4) would refuse the 201st.
      CONNECTIONS_PER_IP: '0',
      // At 2,000 edits/s each of the 10 writers sends 200 messages/s, past the per-connection rate
      // (I3, 100/s), which would close it: the saturation run measures capacity, not that limit.
      MESSAGES_PER_SECOND: '0',
    },
    REPO_ROOT,
  );
  try {
    const m = await waitForLine(
      child,
      /running at http:\/\/[^:\s]+:(\d+)/,
      opts.startTimeoutMs ?? 30_000,
      'Plenary',
    );
    const port = Number(m[1]);
    return {
      name,
      pid: child.proc.pid!,
      port,
      async newRoom() {
        const board = await createBoard(port);
        const endpoint = (person: string, identity?: { userId: string; key: string }): Endpoint => {
          if (name === 'socketio') {
            return {
              kind: 'socketio',
              url: `http://127.0.0.1:${port}`,
              auth: { board: board.id, token: board.tokens.participant, name: person, ...identity },
            };
          }
          const q = new URLSearchParams({ token: board.tokens.participant, name: person, ...identity });
          return { kind: 'websocket', url: `ws://127.0.0.1:${port}/yjs/${board.id}/board?${q}` };
        };
        return {
          endpoint: (person) => endpoint(person),
          async writer(person) {
            const identity = await mintPerson(port, board.id, board.tokens.participant, person);
            return { endpoint: endpoint(person, identity), userId: identity.userId };
          },
        };
      },
      output: child.output,
      stop: () => stopChild(child, dataDir),
    };
  } catch (e) {
    await stopChild(child, dataDir);
    throw e;
  }
}

async function startReference(opts: TargetOptions): Promise<RunningTarget> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ref-bench-'));
  const port = await freePort();
  const script = path.join(REPO_ROOT, 'node_modules/@y/websocket-server/src/server.js');
  // Without YPERSISTENCE it keeps documents in memory only (it has no auth either).
  const child = spawnChild([script], { HOST: '127.0.0.1', PORT: String(port) }, dir, [
    'YPERSISTENCE',
    'CALLBACK_URL',
  ]);
  try {
    await waitForLine(child, /running at/, opts.startTimeoutMs ?? 30_000, 'reference server');
    return {
      name: 'reference',
      pid: child.proc.pid!,
      port,
      async newRoom() {
        const room = `bench-${newId()}`;
        const endpoint = (): Endpoint => ({ kind: 'websocket', url: `ws://127.0.0.1:${port}/${room}` });
        return { endpoint, writer: () => Promise.resolve({ endpoint: endpoint(), userId: null }) };
      },
      output: child.output,
      stop: () => stopChild(child, dir),
    };
  } catch (e) {
    await stopChild(child, dir);
    throw e;
  }
}

export function startTarget(name: TargetName, opts: TargetOptions = {}): Promise<RunningTarget> {
  return name === 'reference' ? startReference(opts) : startPlenary(name, opts);
}
