/**
 * Joins: the start of a workshop (a join storm: hundreds of people opening
 * the board within seconds) and one person opening a full board (a fresh
 * join on a board of 5,000 notes). Each against a fresh server process, so
 * that its peak memory belongs to the run.
 */
import { LightReceiver } from './light-client';
import { sampleProcess } from './proc';
import { Samples, summarize, type LatencySummary } from './stats';
import type { RoomAccess } from './targets';
import { Writer } from './writer';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Notes per transaction while filling a board: well under the gate's 4,000 structs per update. */
const NOTES_PER_UPDATE = 100;

/**
 * One writer fills the board with `notes` notes, `NOTES_PER_UPDATE` per
 * update, paced under the per-connection message rate; resolves once a
 * fresh reader sees them all (so the server has stored them).
 */
async function fillBoard(room: RoomAccess, notes: number, timeoutMs: number): Promise<void> {
  if (notes === 0) return;
  const w = await room.writer('Filler');
  const writer = new Writer(w.endpoint, 'Filler', 0, timeoutMs, w.userId);
  try {
    await writer.link.opened;
    await writer.synced;
    for (let done = 0; done < notes;) {
      const n = Math.min(NOTES_PER_UPDATE, notes - done);
      writer.doc.transact(() => {
        for (let i = 0; i < n; i++) writer.edit(`[note ${done + i} ${'x'.repeat(40)}]`, true);
      });
      done += n;
      await sleep(20);
    }
    // What the reader gets back tells that everything was stored and is served.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const probe = await freshJoin(room, timeoutMs);
      if (probe.bytes >= notes * 40) break;
      if (Date.now() > deadline) throw new Error(`the board did not fill up (${probe.bytes} bytes)`);
      await sleep(200);
    }
  } finally {
    writer.close();
  }
}

/** One light client opens the board; ms until its sync step 2 arrived, and the bytes received. */
async function freshJoin(room: RoomAccess, timeoutMs: number): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const r = new LightReceiver(room.endpoint('Fresh'), 0, new Samples(), timeoutMs);
  try {
    await withDeadline(
      r.link.opened.then(() => r.synced),
      timeoutMs,
      'fresh join',
    );
    return { ms: performance.now() - t0, bytes: r.bytesReceived };
  } finally {
    r.link.close();
  }
}

const withDeadline = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

export interface StormOptions {
  clients: number;
  /** Clients open at even intervals over this many ms. */
  spreadMs: number;
  /** Notes on the board before the storm (a workshop's board is not empty). */
  notes: number;
  timeoutMs: number;
}

export interface StormResult {
  clients: number;
  spreadMs: number;
  synced: number;
  failed: number;
  firstErrors: string[];
  /** From the first client opening until the last one synced. */
  allSyncedMs: number;
  /** From the last client opening until the last one synced. */
  afterLastOpenMs: number;
  /** Each client's time from opening to synced. */
  join: LatencySummary;
  server: { cpuMs: number; peakRssBytes: number } | null;
}

/** `clients` light clients open the board at even intervals over `spreadMs`; when is everyone synced? */
export async function runJoinStorm(
  room: RoomAccess,
  serverPid: number | null,
  opts: StormOptions,
): Promise<StormResult> {
  await fillBoard(room, opts.notes, opts.timeoutMs);
  const before = serverPid ? sampleProcess(serverPid) : null;
  const joins = new Samples();
  const errors: string[] = [];
  const clients: LightReceiver[] = [];
  let lastSync = 0;
  let lastOpen = 0;
  let failed = 0;
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < opts.clients; i++) {
    const due = t0 + (i * opts.spreadMs) / opts.clients;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const opened = performance.now();
    lastOpen = opened;
    const c = new LightReceiver(room.endpoint(`Joiner ${i + 1}`), 0, new Samples(), opts.timeoutMs);
    clients.push(c);
    pending.push(
      withDeadline(
        c.link.opened.then(() => c.synced),
        opts.timeoutMs,
        'connect and sync',
      ).then(
        () => {
          const now = performance.now();
          joins.add(now - opened);
          lastSync = Math.max(lastSync, now);
        },
        (e: unknown) => {
          failed++;
          if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
        },
      ),
    );
  }
  try {
    await Promise.all(pending);
    const after = serverPid ? sampleProcess(serverPid) : null;
    return {
      clients: opts.clients,
      spreadMs: opts.spreadMs,
      synced: opts.clients - failed,
      failed,
      firstErrors: errors,
      allSyncedMs: lastSync - t0,
      afterLastOpenMs: lastSync - lastOpen,
      join: summarize(joins),
      server:
        before && after
          ? {
              cpuMs: after.cpu.userMs + after.cpu.sysMs - before.cpu.userMs - before.cpu.sysMs,
              peakRssBytes: after.mem.peakRssBytes,
            }
          : null,
    };
  } finally {
    for (const c of clients) c.link.close();
    await sleep(300);
  }
}

export interface FreshJoinOptions {
  notes: number;
  /** Fresh joins one after the other on the full board (the first one after the last change). */
  joins: number;
  timeoutMs: number;
}

export interface FreshJoinResult {
  notes: number;
  /** Bytes of the full state the fresh client received (sync step 2 and whatever came before it). */
  bytes: number;
  /** ms from opening to synced, each join in order. */
  joinsMs: number[];
  /** RSS before filling the board, and the peak (VmHWM) after the joins. */
  server: { startRssBytes: number; peakRssBytes: number } | null;
}

export async function runFreshJoin(
  room: RoomAccess,
  serverPid: number | null,
  opts: FreshJoinOptions,
): Promise<FreshJoinResult> {
  const start = serverPid ? sampleProcess(serverPid) : null;
  await fillBoard(room, opts.notes, opts.timeoutMs);
  // Let the server settle (the filler's roster entry, its leaving) before measuring.
  await sleep(1000);
  const joinsMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < opts.joins; i++) {
    const j = await freshJoin(room, opts.timeoutMs);
    joinsMs.push(j.ms);
    bytes = j.bytes;
    await sleep(200);
  }
  const end = serverPid ? sampleProcess(serverPid) : null;
  return {
    notes: opts.notes,
    bytes,
    joinsMs,
    server: start && end ? { startRssBytes: start.mem.rssBytes, peakRssBytes: end.mem.peakRssBytes } : null,
  };
}
