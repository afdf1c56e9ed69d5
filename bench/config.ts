/** Bench settings from the environment and argv; every value is checked and bounded. */
import { WORKLOADS, type Workload } from './load';
import { TARGETS, type TargetName } from './targets';

export interface BenchConfig {
  quick: boolean;
  /** Run the fixed-rate comparison at each client count (BENCH_MAIN=0 skips it). */
  main: boolean;
  targets: TargetName[];
  /** What the writers do in the main runs: typing, moving notes, or both (each against every target). */
  workloads: Workload[];
  clients: number[];
  writers: number;
  rate: number;
  seconds: number;
  /** Cursor moves per second, all receivers together, in the main runs. */
  presenceRate: number;
  /** Main runs are repeated this often, targets interleaved; tables show medians. */
  rounds: number;
  drainSeconds: number;
  saturation: boolean;
  saturationClients: number;
  saturationRates: number[];
  saturationSeconds: number;
  /** A rate that misses the bound is tried again this many times before the ramp stops. */
  saturationRetries: number;
  /** p99 bound for a rate to count as sustained. */
  saturationP99Ms: number;
  /** The join storm: clients opening the board at even intervals over `stormSpreadMs`. */
  storm: boolean;
  stormClients: number;
  stormSpreadMs: number;
  stormNotes: number;
  /** Fresh joins on a board of `freshNotes` notes. */
  fresh: boolean;
  freshNotes: number;
  freshJoins: number;
  profile: boolean;
  /** The in-process benches (rule gate, sharing) printed first. */
  inProcess: boolean;
  browser: boolean;
  out: string | null;
}

function int(name: string, raw: string | undefined, dflt: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
  return n;
}

function ints(name: string, raw: string | undefined, dflt: number[], min: number, max: number): number[] {
  if (raw === undefined || raw === '') return dflt;
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => int(name, s, 0, min, max));
  if (list.length === 0 || list.length > 20) throw new Error(`${name}: give 1 to 20 comma-separated values`);
  return list;
}

const flag = (raw: string | undefined, dflt: boolean): boolean =>
  raw === undefined || raw === '' ? dflt : !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());

export const USAGE = `npm run bench [-- --quick] [-- --no-saturation] [-- --profile]
Environment (defaults in brackets; BENCH_QUICK=1 shrinks them for a smoke run):
  BENCH_TARGETS       socketio,ywebsocket,reference [all]
  BENCH_WORKLOADS     typing,moves: writers type into notes or drag notes [both]
  BENCH_MAIN          0 to skip the fixed-rate runs [1]
  BENCH_CLIENTS       client counts for the main runs [200,500]
  BENCH_WRITERS       writers among them [10]
  BENCH_RATE          edits per second, all writers together [50]
  BENCH_SECONDS       length of each main run [20]
  BENCH_PRESENCE      cursor moves/s from the receivers, all together, in the main runs [0]
  BENCH_ROUNDS        repeat the main runs, targets interleaved; medians shown [3]
  BENCH_DRAIN_SECONDS wait for late deliveries after the last edit [10]
  BENCH_SATURATION    0 to skip the saturation run [1]
  BENCH_SAT_CLIENTS   clients in the saturation run [200]
  BENCH_SAT_RATES     edit rates to try [100,250,500,1000,2000]
  BENCH_SAT_SECONDS   length of each saturation step [8]
  BENCH_SAT_RETRIES   retries of a rate that failed the bound [1]
  BENCH_STORM         0 to skip the join storm [1]
  BENCH_STORM_CLIENTS clients opening the board in the storm [500]
  BENCH_STORM_SPREAD  ms over which they open, evenly [2000]
  BENCH_STORM_NOTES   notes on the board before the storm [200]
  BENCH_FRESH         0 to skip the fresh joins on a full board [1]
  BENCH_FRESH_NOTES   notes on that board [5000]
  BENCH_FRESH_JOINS   fresh joins, one after the other [5]
  BENCH_PROFILE       1: write V8 CPU profiles of our server to bench/results/profiles [0]
  BENCH_IN_PROCESS    0: skip the in-process benches (rule gate, sharing) [1]
  BENCH_BROWSER       0: skip bench/browser-board.ts [1]
  BENCH_OUT           JSON results file [bench/results/bench-<time>.json]`;

export function benchConfig(env: NodeJS.ProcessEnv, argv: string[]): BenchConfig {
  for (const a of argv) {
    if (!['--quick', '--no-saturation', '--profile', '--help'].includes(a))
      throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  const quick = argv.includes('--quick') || flag(env.BENCH_QUICK, false);
  const targets = (env.BENCH_TARGETS ?? TARGETS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const t of targets) {
    if (!(TARGETS as readonly string[]).includes(t))
      throw new Error(`BENCH_TARGETS: unknown target "${t}" (${TARGETS.join(', ')})`);
  }
  const workloads = (env.BENCH_WORKLOADS ?? WORKLOADS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const w of workloads) {
    if (!(WORKLOADS as readonly string[]).includes(w))
      throw new Error(`BENCH_WORKLOADS: unknown workload "${w}" (${WORKLOADS.join(', ')})`);
  }
  const writers = int('BENCH_WRITERS', env.BENCH_WRITERS, 10, 1, 100);
  const clients = ints('BENCH_CLIENTS', env.BENCH_CLIENTS, quick ? [50] : [200, 500], writers + 1, 5000);
  return {
    quick,
    main: flag(env.BENCH_MAIN, true),
    targets: [...new Set(targets)] as TargetName[],
    workloads: [...new Set(workloads)] as Workload[],
    clients,
    writers,
    rate: int('BENCH_RATE', env.BENCH_RATE, 50, 1, 10_000),
    seconds: int('BENCH_SECONDS', env.BENCH_SECONDS, quick ? 5 : 20, 1, 600),
    presenceRate: int('BENCH_PRESENCE', env.BENCH_PRESENCE, 0, 0, 100_000),
    rounds: int('BENCH_ROUNDS', env.BENCH_ROUNDS, quick ? 1 : 3, 1, 20),
    drainSeconds: int('BENCH_DRAIN_SECONDS', env.BENCH_DRAIN_SECONDS, quick ? 5 : 10, 1, 120),
    saturation: !argv.includes('--no-saturation') && flag(env.BENCH_SATURATION, true),
    saturationClients: int('BENCH_SAT_CLIENTS', env.BENCH_SAT_CLIENTS, quick ? 50 : 200, writers + 1, 5000),
    saturationRates: ints(
      'BENCH_SAT_RATES',
      env.BENCH_SAT_RATES,
      quick ? [100, 500] : [100, 250, 500, 1000, 2000],
      1,
      100_000,
    ),
    saturationSeconds: int('BENCH_SAT_SECONDS', env.BENCH_SAT_SECONDS, quick ? 3 : 8, 1, 600),
    saturationRetries: int('BENCH_SAT_RETRIES', env.BENCH_SAT_RETRIES, quick ? 0 : 1, 0, 5),
    saturationP99Ms: 500,
    storm: flag(env.BENCH_STORM, true),
    stormClients: int('BENCH_STORM_CLIENTS', env.BENCH_STORM_CLIENTS, quick ? 100 : 500, 1, 5000),
    stormSpreadMs: int('BENCH_STORM_SPREAD', env.BENCH_STORM_SPREAD, 2000, 0, 60_000),
    stormNotes: int('BENCH_STORM_NOTES', env.BENCH_STORM_NOTES, 200, 0, 5000),
    fresh: flag(env.BENCH_FRESH, true),
    freshNotes: int('BENCH_FRESH_NOTES', env.BENCH_FRESH_NOTES, quick ? 500 : 5000, 1, 5000),
    freshJoins: int('BENCH_FRESH_JOINS', env.BENCH_FRESH_JOINS, quick ? 2 : 5, 1, 50),
    profile: argv.includes('--profile') || flag(env.BENCH_PROFILE, false),
    inProcess: flag(env.BENCH_IN_PROCESS, true),
    browser: flag(env.BENCH_BROWSER, true),
    out: env.BENCH_OUT === '' ? null : (env.BENCH_OUT ?? null),
  };
}
