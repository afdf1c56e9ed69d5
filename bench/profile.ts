/**
 * `tsx bench/profile.ts <file.cpuprofile> [top]`: the functions with the most
 * self time in a V8 CPU profile (from `BENCH_PROFILE=1 npm run bench`), and
 * the same summed per source file, to find a server bottleneck without
 * opening DevTools.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function selfTimes(p: CpuProfile): Map<number, number> {
  // Sample i lasted timeDeltas[i + 1] µs (V8's convention); fall back to hit counts.
  const byNode = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i + 1] ?? 0;
      byNode.set(p.samples[i]!, (byNode.get(p.samples[i]!) ?? 0) + dt);
    }
  } else {
    const interval =
      (p.endTime - p.startTime) /
      Math.max(
        1,
        p.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0),
      );
    for (const n of p.nodes) byNode.set(n.id, (n.hitCount ?? 0) * interval);
  }
  return byNode;
}

/** Inclusive time per project function (outside node_modules), counted once per call stack. */
function projectInclusive(p: CpuProfile, self: Map<number, number>): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  for (const [id, t] of self) {
    if (t === 0) continue;
    const counted = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (!url.includes('/work/') || url.includes('node_modules')) continue;
      const key = `${functionName || '(anonymous)'}  ${path.relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`;
      if (counted.has(key)) continue;
      counted.add(key);
      out.set(key, (out.get(key) ?? 0) + t);
    }
  }
  return out;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/profile.ts <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = selfTimes(profile);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const n of profile.nodes) {
    const t = self.get(n.id) ?? 0;
    if (t === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '~/') : '(native)';
    const fn = `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
    const key = url
      ? where.startsWith('~/')
        ? where.split('/').slice(0, 3).join('/')
        : path.relative(process.cwd(), where)
      : functionName;
    byFile.set(key, (byFile.get(key) ?? 0) + t);
  }
  const show = (title: string, m: Map<string, number>): void => {
    console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
    for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`,
      );
    }
  };
  show('Self time by function', byFn);
  show('Self time by file or package', byFile);
  show('Total time (self + callees) of project functions', projectInclusive(profile, self));
}

// `| head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
main();
