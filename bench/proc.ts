import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time and memory of another process, read from Linux's /proc, so the
 * figures describe the server child and not the load generator.
 */

/** Clock ticks per second for /proc/<pid>/stat (almost always 100). */
const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

export interface CpuTime {
  userMs: number;
  sysMs: number;
}

/** utime and stime of `pid` (fields 14 and 15 of /proc/<pid>/stat). */
export function readCpu(pid: number): CpuTime {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // `rest` starts at field 3 (state), so field k is rest[k - 3].
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`);
  return { userMs: (utime * 1000) / CLK_TCK, sysMs: (stime * 1000) / CLK_TCK };
}

export const cpuTotalMs = (c: CpuTime): number => c.userMs + c.sysMs;

export const cpuDiff = (after: CpuTime, before: CpuTime): CpuTime => ({
  userMs: after.userMs - before.userMs,
  sysMs: after.sysMs - before.sysMs,
});

export interface Memory {
  /** Peak resident set size over the process's life (VmHWM), bytes. */
  peakRssBytes: number;
  /** Current resident set size (VmRSS), bytes. */
  rssBytes: number;
}

/** VmHWM and VmRSS from /proc/<pid>/status (reported in kB). */
export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { peakRssBytes: kb('VmHWM'), rssBytes: kb('VmRSS') };
}

/** Both readings at once; null when the process is gone. */
export function sampleProcess(pid: number): { cpu: CpuTime; mem: Memory } | null {
  try {
    return { cpu: readCpu(pid), mem: readMemory(pid) };
  } catch {
    return null;
  }
}
