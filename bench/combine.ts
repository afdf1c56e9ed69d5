import type { LoadResult } from './load';
import { median } from './stats';

/**
 * One row from several rounds of the same run: each figure is the median over
 * the rounds (on a shared, busy machine a single round can be hit by a
 * neighbour's burst), while misses and failures are summed so none is hidden.
 */
export function combineRounds(rounds: LoadResult[]): LoadResult {
  if (rounds.length === 0) throw new Error('no rounds to combine');
  if (rounds.length === 1) return rounds[0]!;
  const m = (f: (r: LoadResult) => number): number => median(rounds.map(f));
  const sum = (f: (r: LoadResult) => number): number => rounds.reduce((n, r) => n + f(r), 0);
  const first = rounds[0]!;
  const servers = rounds.map((r) => r.server);
  const haveServer = servers.every((s) => s !== null);
  return {
    clients: first.clients,
    writers: first.writers,
    receivers: first.receivers,
    connectFailures: sum((r) => r.connectFailures),
    firstErrors: rounds.flatMap((r) => r.firstErrors).slice(0, 5),
    syncMs: m((r) => r.syncMs),
    edits: sum((r) => r.edits),
    expected: sum((r) => r.expected),
    delivered: sum((r) => r.delivered),
    missed: sum((r) => r.missed),
    latency: {
      count: sum((r) => r.latency.count),
      p50: m((r) => r.latency.p50),
      p95: m((r) => r.latency.p95),
      p99: m((r) => r.latency.p99),
      max: Math.max(...rounds.map((r) => r.latency.max)),
    },
    dropped: sum((r) => r.dropped),
    dropReasons: [...new Set(rounds.flatMap((r) => r.dropReasons))].slice(0, 5),
    receiversShort: sum((r) => r.receiversShort),
    presenceSent: sum((r) => r.presenceSent),
    presenceFramesReceived: sum((r) => r.presenceFramesReceived),
    server: haveServer
      ? {
          cpuSyncMs: m((r) => r.server!.cpuSyncMs),
          cpuLoadMs: m((r) => r.server!.cpuLoadMs),
          cpuLoad: { userMs: m((r) => r.server!.cpuLoad.userMs), sysMs: m((r) => r.server!.cpuLoad.sysMs) },
          peakRssBytes: m((r) => r.server!.peakRssBytes),
          startRssBytes: m((r) => r.server!.startRssBytes),
        }
      : null,
    loadGen: {
      cpuMs: m((r) => r.loadGen.cpuMs),
      wallMs: m((r) => r.loadGen.wallMs),
      eventLoopP99Ms: m((r) => r.loadGen.eventLoopP99Ms),
      eventLoopMaxMs: Math.max(...rounds.map((r) => r.loadGen.eventLoopMaxMs)),
    },
  };
}
