import { fileURLToPath } from 'node:url';
import Piscina from 'piscina';
import type { Logger } from '../log';
import { runTask, type HeavyResult, type HeavyTask } from './tasks';

const WORKER = fileURLToPath(new URL('./heavy-worker.mjs', import.meta.url));

/**
 * The worker pool for work whose cost grows with a board (exports, snapshot
 * exports and pictures, suggested groups, restore planning, snapshot hashes):
 * piscina, a well-kept pool of worker threads. Tasks get the documents' bytes
 * and return plain data, so the event loop that every board's sync shares
 * only encodes and sends. The pool starts no thread before its first task and
 * lets idle threads go after a minute; queued tasks are bounded by the
 * callers' slots (server/work/slots.ts), not here.
 */
export class HeavyWork {
  private pool: Piscina<HeavyTask, HeavyResult> | null = null;

  constructor(
    private readonly threads: number,
    private readonly log: Logger,
    /**
     * Tasks whose documents' bytes are below this run on the calling thread: for a small
     * board the hop to a thread (and a thread's start) costs more than the work.
     */
    private readonly inlineBelowBytes = 64 * 1024,
  ) {}

  run(task: HeavyTask, transfer: ArrayBufferLike[] = []): Promise<HeavyResult> {
    if (bytesOf(task) < this.inlineBelowBytes) {
      try {
        return Promise.resolve(runTask(task));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    this.pool ??= new Piscina<HeavyTask, HeavyResult>({
      filename: WORKER,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: 60_000,
    });
    // Buffers handed over are moved, not copied (the caller encoded them for this task only).
    return this.pool.run(task, { transferList: transfer as ArrayBuffer[] }).catch((e: unknown) => {
      this.log.error({ err: e, task: task.kind }, 'a heavy task failed in its worker');
      throw e;
    });
  }

  /** Whether a thread was ever started (tests: the worker really ran). */
  get started(): boolean {
    return this.pool !== null;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}

/** The bytes of documents a task carries (every Uint8Array in it, one level of lists deep). */
function bytesOf(task: HeavyTask): number {
  let n = 0;
  const add = (v: unknown): void => {
    if (v instanceof Uint8Array) n += v.byteLength;
    else if (Array.isArray(v)) for (const x of v) add(x);
    else if (v !== null && typeof v === 'object')
      for (const x of Object.values(v)) if (typeof x === 'object') add(x);
  };
  add(task);
  return n;
}
