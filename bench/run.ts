/**
 * `npm run bench`: drives our server (over Socket.io and over its y-websocket
 * endpoint) and the reference @y/websocket-server with the same load, and
 * prints figures side by side. It never passes or fails: docs/benchmarks.md
 * keeps what was measured and where.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_PATH, hasChromium } from './chromium';
import { combineRounds } from './combine';
import { runGateBench } from './gate';
import { runHeavyBench } from './heavy';
import { runSharingBench } from './sharing';
import { benchConfig, USAGE, type BenchConfig } from './config';
import { runLoad, type LoadOptions, type LoadResult, type Workload } from './load';
import { highestSustained, mainTable, saturationTable, type MainRow, type SaturationStep } from './report';
import { runFreshJoin, runJoinStorm, type FreshJoinResult, type StormResult } from './storm';
import {
  killAllChildren,
  REPO_ROOT,
  startTarget,
  TARGET_LABEL,
  type RoomAccess,
  type TargetName,
} from './targets';

const say = (s = ''): void => void process.stdout.write(`${s}\n`);

function machine(): Record<string, string | number> {
  return {
    date: new Date().toString(),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

function loadOptions(
  cfg: BenchConfig,
  clients: number,
  rate: number,
  seconds: number,
  drainSeconds: number,
  presenceRate = 0,
  workload: Workload = 'typing',
): LoadOptions {
  return {
    workload,
    clients,
    presenceRate,
    writers: cfg.writers,
    rate,
    durationMs: seconds * 1000,
    drainMs: drainSeconds * 1000,
    connectConcurrency: 50,
    connectTimeoutMs: 30_000,
  };
}

async function measure(cfg: BenchConfig, target: TargetName, opts: LoadOptions): Promise<LoadResult> {
  const profileDir =
    cfg.profile && target !== 'reference' ? path.join(REPO_ROOT, 'bench/results/profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // A fresh process per run: its peak memory (VmHWM) then belongs to this run alone.
  const server = await startTarget(target, { cpuProfileDir: profileDir });
  try {
    const room = await server.newRoom();
    const result = await runLoad(room, server.pid, opts);
    const logged = server.output().trim();
    if ((result.missed > 0 || result.connectFailures > 0) && logged) {
      say(
        `\n    server output (tail):\n${logged
          .split('\n')
          .slice(-10)
          .map((l) => `      ${l.slice(0, 300)}`)
          .join('\n')}`,
      );
    }
    return result;
  } finally {
    await server.stop();
  }
}

function describeRun(result: LoadResult): string {
  const notes = [`p99 ${result.latency.p99.toFixed(1)} ms, missed ${result.missed}`];
  if (result.presenceSent > 0) {
    notes.push(
      `, ${result.presenceSent} cursor moves sent, ${result.presenceFramesReceived} presence frames received`,
    );
  }
  if (result.firstErrors.length) notes.push(`\n    connection errors: ${result.firstErrors.join('; ')}`);
  if (result.missed > 0) {
    notes.push(
      `\n    ${result.receiversShort} receivers missed edits; ${result.dropped} lost their connection ` +
        result.dropReasons.join('; '),
    );
  }
  return notes.join('');
}

/** Main runs by `<workload>@<clients>`, e.g. `moves@200`. */
async function mainRuns(cfg: BenchConfig): Promise<Record<string, MainRow[]>> {
  const all: Record<string, MainRow[]> = {};
  for (const n of cfg.clients)
    for (const workload of cfg.workloads) all[`${workload}@${n}`] = await mainRun(cfg, n, workload);
  return all;
}

async function mainRun(cfg: BenchConfig, n: number, workload: Workload): Promise<MainRow[]> {
  say(
    `\n== ${workload}: ${n} clients on one board document: ${cfg.writers} writers (full Y.Doc), ${n - cfg.writers} light receivers; ` +
      `${cfg.rate} edits/s for ${cfg.seconds} s` +
      (cfg.presenceRate ? ` with ${cfg.presenceRate} cursor moves/s` : '') +
      `; ${cfg.rounds} round(s), medians shown ==`,
  );
  const rounds = new Map<TargetName, LoadResult[]>(cfg.targets.map((t) => [t, []]));
  const errors = new Map<TargetName, string>();
  for (let round = 0; round < cfg.rounds; round++) {
    // Rotate the order so that no target always runs first (warm caches, neighbours' bursts).
    const order = cfg.targets.map((_, i) => cfg.targets[(i + round) % cfg.targets.length]!);
    for (const target of order) {
      process.stdout.write(`  round ${round + 1}: ${TARGET_LABEL[target]} … `);
      try {
        const result = await measure(
          cfg,
          target,
          loadOptions(cfg, n, cfg.rate, cfg.seconds, cfg.drainSeconds, cfg.presenceRate, workload),
        );
        rounds.get(target)!.push(result);
        say(describeRun(result));
      } catch (e) {
        errors.set(target, (e as Error).message);
        say(`failed: ${(e as Error).message}`);
      }
    }
  }
  const rows: MainRow[] = cfg.targets.map((target) => {
    const done = rounds.get(target)!;
    return done.length
      ? { target, result: combineRounds(done), rounds: done }
      : { target, result: null, rounds: [], error: errors.get(target) };
  });
  say();
  say(mainTable(rows));
  return rows;
}

async function saturationRuns(cfg: BenchConfig): Promise<Map<TargetName, SaturationStep[]>> {
  const n = cfg.saturationClients;
  say(
    `\n== Saturation: ${n} clients, ${cfg.saturationSeconds} s per rate; sustained = p99 < ${cfg.saturationP99Ms} ms ` +
      `and nothing missed; a failed rate is retried ${cfg.saturationRetries} time(s) ==`,
  );
  const byTarget = new Map<TargetName, SaturationStep[]>();
  for (const target of cfg.targets) {
    const steps: SaturationStep[] = [];
    byTarget.set(target, steps);
    ramp: for (const rate of cfg.saturationRates) {
      const failedAttempts: LoadResult[] = [];
      for (let attempt = 0; attempt <= cfg.saturationRetries; attempt++) {
        process.stdout.write(
          `  ${TARGET_LABEL[target]} at ${rate}/s${attempt ? ` (retry ${attempt})` : ''} … `,
        );
        let result: LoadResult;
        try {
          result = await measure(cfg, target, loadOptions(cfg, n, rate, cfg.saturationSeconds, 5));
        } catch (e) {
          steps.push({ rate, result: null, failedAttempts, error: (e as Error).message, sustained: false });
          say(`failed: ${(e as Error).message}`);
          break ramp;
        }
        const sustained =
          result.latency.p99 < cfg.saturationP99Ms && result.missed === 0 && result.connectFailures === 0;
        say(`${describeRun(result)}${sustained ? '' : ' (not sustained)'}`);
        if (sustained || attempt === cfg.saturationRetries) {
          steps.push({ rate, result, failedAttempts, sustained });
          // Higher rates only take longer to fail.
          if (!sustained) break ramp;
          break;
        }
        failedAttempts.push(result);
      }
    }
  }
  say();
  say(saturationTable(byTarget, cfg.saturationRates));
  const ref = byTarget.get('reference');
  const refBest = ref ? highestSustained(ref) : null;
  for (const [target, steps] of byTarget) {
    if (target === 'reference' || !ref) continue;
    const best = highestSustained(steps);
    const r = best !== null && refBest ? (best / refBest).toFixed(1) : '—';
    say(
      `  ${TARGET_LABEL[target]}: highest sustained ${best ?? 'none'} vs reference ${refBest ?? 'none'} (×${r})`,
    );
  }
  return byTarget;
}

const mib = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(0);

/** One run on a fresh server process of `target`; null (and a line) when it failed. */
async function onFreshServer<T>(
  target: TargetName,
  run: (room: RoomAccess, pid: number) => Promise<T>,
): Promise<T | null> {
  const server = await startTarget(target);
  try {
    return await run(await server.newRoom(), server.pid);
  } catch (e) {
    say(`failed: ${(e as Error).message}`);
    return null;
  } finally {
    await server.stop();
  }
}

async function stormRuns(cfg: BenchConfig): Promise<Record<string, StormResult | null>> {
  say(
    `\n== Join storm: ${cfg.stormClients} clients open a board of ${cfg.stormNotes} notes at even intervals over ` +
      `${cfg.stormSpreadMs} ms (the start of a workshop); time until every one is synced ==`,
  );
  const out: Record<string, StormResult | null> = {};
  for (const target of cfg.targets) {
    process.stdout.write(`  ${TARGET_LABEL[target]} … `);
    const r = await onFreshServer(target, (room, pid) =>
      runJoinStorm(room, pid, {
        clients: cfg.stormClients,
        spreadMs: cfg.stormSpreadMs,
        notes: cfg.stormNotes,
        timeoutMs: 30_000,
      }),
    );
    out[target] = r;
    if (r) {
      say(
        `${r.synced}/${r.clients} synced; all synced ${r.allSyncedMs.toFixed(0)} ms after the first opened ` +
          `(${r.afterLastOpenMs.toFixed(0)} ms after the last); each join p50 ${r.join.p50.toFixed(0)} / ` +
          `p99 ${r.join.p99.toFixed(0)} / max ${r.join.max.toFixed(0)} ms` +
          (r.server
            ? `; server CPU ${(r.server.cpuMs / 1000).toFixed(2)} s, peak ${mib(r.server.peakRssBytes)} MB`
            : '') +
          (r.firstErrors.length ? `\n    errors: ${r.firstErrors.join('; ')}` : ''),
      );
    }
  }
  return out;
}

async function freshJoinRuns(cfg: BenchConfig): Promise<Record<string, FreshJoinResult | null>> {
  say(
    `\n== Fresh join: one client opens a board of ${cfg.freshNotes} notes, ${cfg.freshJoins} times in a row ` +
      `(ms from opening to synced; the first right after the board was filled) ==`,
  );
  const out: Record<string, FreshJoinResult | null> = {};
  for (const target of cfg.targets) {
    process.stdout.write(`  ${TARGET_LABEL[target]} … `);
    const r = await onFreshServer(target, (room, pid) =>
      runFreshJoin(room, pid, { notes: cfg.freshNotes, joins: cfg.freshJoins, timeoutMs: 60_000 }),
    );
    out[target] = r;
    if (r) {
      const sorted = [...r.joinsMs].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      say(
        `${(r.bytes / 1024).toFixed(0)} KiB; joins ${r.joinsMs.map((v) => v.toFixed(0)).join(', ')} ms ` +
          `(median ${median.toFixed(0)})` +
          (r.server
            ? `; server start ${mib(r.server.startRssBytes)} MB, peak ${mib(r.server.peakRssBytes)} MB`
            : ''),
      );
    }
  }
  return out;
}

/** The board engineer's browser benchmark, when it exists and Chromium is installed. */
async function browserRun(cfg: BenchConfig): Promise<Record<string, number> | string> {
  const file = path.join(REPO_ROOT, 'bench/browser-board.ts');
  if (!cfg.browser) return 'skipped (BENCH_BROWSER=0)';
  if (!existsSync(file)) return 'skipped (bench/browser-board.ts not present)';
  if (!hasChromium()) return `skipped (no Chromium at ${CHROMIUM_PATH})`;
  say('\n== Browser board benchmark (bench/browser-board.ts) ==');
  try {
    // Imported by path: the module is optional and owned by the board UI.
    const mod = (await import(pathToFileURL(file).href)) as {
      runBrowserBoardBench?: () => Promise<Record<string, number>>;
    };
    if (typeof mod.runBrowserBoardBench !== 'function') return 'skipped (no runBrowserBoardBench export)';
    const figures = await mod.runBrowserBoardBench();
    for (const [k, v] of Object.entries(figures))
      say(`  ${k}: ${Number.isFinite(v) ? v.toFixed(1) : String(v)}`);
    return figures;
  } catch (e) {
    say(`  failed: ${(e as Error).message}`);
    return `failed: ${(e as Error).message}`;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    say(USAGE);
    return;
  }
  const cfg = benchConfig(process.env, argv);
  const info = machine();
  say(`Plenary benchmark — ${info.date}`);
  say(
    `Machine: ${info.cpus} CPUs (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, load average ${info.loadAverage1m}. ` +
      `Servers run as child processes; the load generator is this process and shares the CPUs with them.`,
  );
  if (cfg.quick) say('Quick mode: small N and short runs, for development only.');

  let gate = null;
  let sharing = null;
  if (cfg.inProcess) {
    say('\n== Rule gate (bench/gate.ts, in process) ==');
    gate = await runGateBench(say);
    say('\n== Sharing from any device (bench/sharing.ts, in process) ==');
    sharing = await runSharingBench(say);
  }
  say('\n== Heavy work beside a live workshop (bench/heavy.ts, compiled server in a child process) ==');
  const heavy = await runHeavyBench(say);
  const main = cfg.main ? await mainRuns(cfg) : null;
  const saturation = cfg.saturation ? await saturationRuns(cfg) : null;
  const storm = cfg.storm ? await stormRuns(cfg) : null;
  const freshJoin = cfg.fresh ? await freshJoinRuns(cfg) : null;
  const browser = await browserRun(cfg);

  const out =
    cfg.out ??
    path.join(REPO_ROOT, 'bench/results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        machine: info,
        config: cfg,
        gate,
        sharing,
        heavy,
        main,
        saturation: saturation ? Object.fromEntries(saturation) : null,
        storm,
        freshJoin,
        browser,
      },
      null,
      2,
    ),
  );
  say(`\nFigures saved to ${path.relative(process.cwd(), out)}`);
}

// Never leave a server behind: normal end, error, or Ctrl-C.
process.on('exit', killAllChildren);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}
main().then(
  () => {
    killAllChildren();
    // Lingering client sockets must not keep the bench alive.
    process.exit(0);
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    killAllChildren();
    process.exit(1);
  },
);
