// Worker thread of the heavy-work pool (server/work/pool.ts, piscina). Plain
// JavaScript so that Node can start it without a loader; it loads the
// TypeScript tasks through tsx's API from source, and scripts/build-server.mjs
// bundles them in their place for the compiled server.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { tsImport } from 'tsx/esm/api';

// This thread yields the CPU to the event loop every board's sync shares: on
// Linux the nice value is per thread (/proc/thread-self names this one).
// Elsewhere it stays at the process's priority.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // Not Linux, or not allowed: the pool still works, only without the lower priority.
}

const { runTask } = await tsImport('./tasks.ts', import.meta.url);

export default function heavyTask(task) {
  return runTask(task);
}
