import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LightReceiver } from './light-client';
import { marker, nowMicros } from './marker';
import { cpuDiff, cpuTotalMs, sampleProcess, type CpuTime } from './proc';
import { Samples, summarize, type LatencySummary } from './stats';
import type { RoomAccess } from './targets';
import { Writer } from './writer';

/** What the writers do: type into notes (text inserts), or drag notes around (x/y map updates). */
export const WORKLOADS = ['typing', 'moves'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface LoadOptions {
  workload: Workload;
  /** All clients, writers included. */
  clients: number;
  writers: number;
  /** Edits per second, all writers together. */
  rate: number;
  durationMs: number;
  /** After the last edit, wait at most this long for deliveries; later ones count as missed. */
  drainMs: number;
  /** Cursor moves per second, all receivers together, during the edits (0: no presence). */
  presenceRate: number;
  /** Handshakes in flight at once while connecting. */
  connectConcurrency: number;
  /** Per client: connect and sync within this, or count as a failed connection. */
  connectTimeoutMs: number;
}

export interface ServerFigures {
  /** CPU time (user + sys) while the clients connected and synced. */
  cpuSyncMs: number;
  /** CPU time while the edits ran and drained. */
  cpuLoadMs: number;
  cpuLoad: CpuTime;
  /** VmHWM after the run: the process's peak RSS so far. */
  peakRssBytes: number;
  /** RSS before any client connected (runtime, libraries, loader). */
  startRssBytes: number;
}

export interface LoadResult {
  clients: number;
  writers: number;
  receivers: number;
  connectFailures: number;
  firstErrors: string[];
  /** From the first connection attempt until every client had synced. */
  syncMs: number;
  edits: number;
  /** edits × receivers that synced. */
  expected: number;
  delivered: number;
  missed: number;
  latency: LatencySummary;
  /** Receivers whose connection closed during the run, and the first few reasons. */
  dropped: number;
  dropReasons: string[];
  /** Receivers that missed at least one edit. */
  receiversShort: number;
  /** Cursor moves sent, and presence frames all receivers got (batched servers send fewer, larger ones). */
  presenceSent: number;
  presenceFramesReceived: number;
  server: ServerFigures | null;
  /** The load generator's own cost, to judge whether it was the bottleneck. */
  loadGen: { cpuMs: number; wallMs: number; eventLoopP99Ms: number; eventLoopMaxMs: number };
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

/** Runs `tasks` with at most `limit` in flight; never rejects. */
async function pool(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!().catch(() => {});
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One measured run against one fresh document: connect everybody, let the
 * writers make `rate` edits per second for `durationMs` (open loop: the
 * schedule never waits for the server), then count what each receiver got.
 */
export async function runLoad(
  room: RoomAccess,
  serverPid: number | null,
  opts: LoadOptions,
): Promise<LoadResult> {
  if (!(opts.writers >= 1 && opts.clients > opts.writers))
    throw new Error('need at least one writer and one receiver');
  const totalEdits = Math.round((opts.rate * opts.durationMs) / 1000);
  const latencies = new Samples();
  const moveSentAt = opts.workload === 'moves' ? new Float64Array(totalEdits) : null;
  const errors: string[] = [];
  const fail = (e: unknown): void => {
    if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
  };

  const before = serverPid ? sampleProcess(serverPid) : null;
  const t0 = performance.now();
  const writers: Writer[] = [];
  const receivers: LightReceiver[] = [];
  const synced = new Set<Writer | LightReceiver>();
  const tasks: (() => Promise<void>)[] = [];
  for (let i = 0; i < opts.clients; i++) {
    tasks.push(async () => {
      const writer = i < opts.writers ? await room.writer(`Writer ${i + 1}`) : null;
      const client = writer
        ? new Writer(writer.endpoint, `Writer ${i + 1}`, i, opts.connectTimeoutMs, writer.userId)
        : new LightReceiver(
            room.endpoint(`Reader ${i + 1}`),
            totalEdits,
            latencies,
            opts.connectTimeoutMs,
            moveSentAt,
          );
      if (client instanceof Writer) writers.push(client);
      else receivers.push(client);
      try {
        await withDeadline(
          client.link.opened.then(() => client.synced),
          opts.connectTimeoutMs,
          'connect and sync',
        );
        synced.add(client);
      } catch (e) {
        fail(e);
        client.link.close();
      }
    });
  }
  try {
    await pool(tasks, opts.connectConcurrency);
    const syncMs = performance.now() - t0;
    const afterSync = serverPid ? sampleProcess(serverPid) : null;
    const liveWriters = writers.filter((w) => synced.has(w));
    const liveReceivers = receivers.filter((r) => synced.has(r));

    // Moves: every writer first makes the note it will drag (delivered before the clock starts).
    if (moveSentAt) for (const w of liveWriters) w.addNoteToMove();
    // Let join-time traffic (roster updates, the writers' handshakes) settle.
    await sleep(500);

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const loadStart = performance.now();
    let made = 0;
    let scheduled = 0;
    let cursors = 0;
    if (liveWriters.length > 0) {
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const due = Math.min(totalEdits, Math.floor(((performance.now() - loadStart) * opts.rate) / 1000));
          const cursorsDue = Math.floor(((performance.now() - loadStart) * opts.presenceRate) / 1000);
          for (; cursors < cursorsDue && liveReceivers.length > 0; cursors++) {
            const r = liveReceivers[cursors % liveReceivers.length]!;
            if (r.link.isOpen) r.moveCursor((cursors * 37) % 2000, (cursors * 11) % 1200);
          }
          for (; scheduled < due; scheduled++) {
            const w = liveWriters[scheduled % liveWriters.length]!;
            if (!w.link.isOpen) continue;
            if (moveSentAt) {
              moveSentAt[scheduled] = nowMicros();
              w.move(scheduled);
            } else w.edit(marker(scheduled, nowMicros()));
            made++;
          }
          if (scheduled >= totalEdits) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
    }
    const expected = made * liveReceivers.length;
    const delivered = (): number => liveReceivers.reduce((n, r) => n + r.received, 0);
    const drainUntil = performance.now() + opts.drainMs;
    while (delivered() < expected && performance.now() < drainUntil) await sleep(50);
    const got = delivered();
    const wallMs = performance.now() - loadStart;
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    const after = serverPid ? sampleProcess(serverPid) : null;

    return {
      clients: opts.clients,
      writers: opts.writers,
      receivers: opts.clients - opts.writers,
      connectFailures: opts.clients - synced.size,
      firstErrors: errors,
      syncMs,
      edits: made,
      expected,
      delivered: got,
      missed: expected - got,
      latency: summarize(latencies),
      dropped: liveReceivers.filter((r) => r.closedBecause !== null).length,
      dropReasons: [...new Set(liveReceivers.map((r) => r.closedBecause).filter((w) => w !== null))].slice(
        0,
        5,
      ),
      receiversShort: liveReceivers.filter((r) => r.received < made).length,
      presenceSent: cursors,
      presenceFramesReceived: liveReceivers.reduce((n, r) => n + r.awarenessFrames, 0),
      server:
        before && afterSync && after
          ? {
              cpuSyncMs: cpuTotalMs(cpuDiff(afterSync.cpu, before.cpu)),
              cpuLoadMs: cpuTotalMs(cpuDiff(after.cpu, afterSync.cpu)),
              cpuLoad: cpuDiff(after.cpu, afterSync.cpu),
              peakRssBytes: after.mem.peakRssBytes,
              startRssBytes: before.mem.rssBytes,
            }
          : null,
      loadGen: {
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs,
        eventLoopP99Ms: loop.percentile(99) / 1e6,
        eventLoopMaxMs: loop.max / 1e6,
      },
    };
  } finally {
    for (const w of writers) w.close();
    for (const r of receivers) r.link.close();
    // Give the close frames a moment to leave before the next run starts.
    await sleep(300);
  }
}
