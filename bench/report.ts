/** Plain-text tables of the figures, as printed by `npm run bench`. */
import type { LoadResult } from './load';
import { ratio } from './stats';
import { TARGET_LABEL, type TargetName } from './targets';

export interface MainRow {
  target: TargetName;
  /** Medians over `rounds` (see combine.ts). */
  result: LoadResult | null;
  rounds: LoadResult[];
  error?: string;
}

const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const fmtRatio = (v: number): string => (Number.isFinite(v) ? `×${v.toFixed(2)}` : '—');
const mb = (bytes: number): number => bytes / (1024 * 1024);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The figures of one run in table order (for ratios: numbers, not strings).
 * `rounds`: how many rounds `r` combines (their deliveries are summed, CPU is the median).
 */
function figures(r: LoadResult, rounds = 1): number[] {
  return [
    r.latency.p50,
    r.latency.p95,
    r.latency.p99,
    r.missed,
    r.syncMs / 1000,
    r.server ? (r.server.cpuSyncMs + r.server.cpuLoadMs) / 1000 : NaN,
    r.server ? r.server.cpuLoadMs / 1000 : NaN,
    r.server && r.delivered > 0 ? (r.server.cpuLoadMs * 1000 * rounds) / r.delivered : NaN,
    r.server ? mb(r.server.peakRssBytes) : NaN,
    r.server ? mb(r.server.startRssBytes) : NaN,
  ];
}

const HEAD = [
  'target',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'missed',
  'sync s',
  'CPU s',
  'CPU load s',
  'µs/delivery',
  'peak MB',
  'start MB',
  'conn fail',
  'gen CPU%',
  'gen lag p99',
];

export function mainTable(rows: MainRow[]): string {
  const refRow = rows.find((r) => r.target === 'reference');
  const ref = refRow?.result ?? null;
  const out: string[][] = [];
  for (const row of rows) {
    const r = row.result;
    if (!r) {
      out.push([TARGET_LABEL[row.target], `failed: ${row.error ?? 'unknown error'}`]);
      continue;
    }
    const f = figures(r, Math.max(1, row.rounds.length));
    out.push([
      TARGET_LABEL[row.target],
      fmt(f[0]!),
      fmt(f[1]!),
      fmt(f[2]!),
      `${r.missed}/${r.expected}`,
      fmt(f[4]!, 2),
      fmt(f[5]!, 2),
      fmt(f[6]!, 2),
      fmt(f[7]!, 1),
      fmt(f[8]!, 0),
      fmt(f[9]!, 0),
      String(r.connectFailures),
      fmt((100 * r.loadGen.cpuMs) / r.loadGen.wallMs, 0),
      `${fmt(r.loadGen.eventLoopP99Ms)} ms`,
    ]);
    if (ref && row.target !== 'reference') {
      const g = figures(ref, Math.max(1, refRow?.rounds.length ?? 1));
      out.push([
        '  ratio to reference',
        ...f.map((v, i) =>
          i === 3 ? (v === 0 && g[3] === 0 ? '0 / 0' : fmtRatio(ratio(v, g[i]!))) : fmtRatio(ratio(v, g[i]!)),
        ),
        '',
        '',
        '',
      ]);
    }
  }
  return table(HEAD, out);
}

export interface SaturationStep {
  rate: number;
  result: LoadResult | null;
  /** Earlier attempts at this rate that missed the bound. */
  failedAttempts: LoadResult[];
  error?: string;
  sustained: boolean;
}

export function saturationTable(byTarget: Map<TargetName, SaturationStep[]>, rates: number[]): string {
  const head = ['target', ...rates.map((r) => `${r}/s p99 ms (missed)`), 'highest sustained'];
  const rows: string[][] = [];
  for (const [target, steps] of byTarget) {
    const cells = rates.map((rate) => {
      const s = steps.find((x) => x.rate === rate);
      if (!s) return 'not run';
      if (!s.result) return 'failed';
      const retried = s.failedAttempts.map((r) => `${fmt(r.latency.p99, 0)} (${r.missed}), `).join('');
      return `${retried}${fmt(s.result.latency.p99, 0)} (${s.result.missed})`;
    });
    rows.push([TARGET_LABEL[target], ...cells, highestLabel(steps, rates)]);
  }
  return table(head, rows);
}

export function highestSustained(steps: SaturationStep[]): number | null {
  let best: number | null = null;
  for (const s of steps) if (s.sustained && (best === null || s.rate > best)) best = s.rate;
  return best;
}

function highestLabel(steps: SaturationStep[], rates: number[]): string {
  const best = highestSustained(steps);
  if (best === null) return `< ${Math.min(...rates)}/s`;
  return best === Math.max(...rates) ? `≥ ${best}/s` : `${best}/s`;
}
