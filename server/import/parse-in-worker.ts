import { Worker } from 'node:worker_threads';
import { AgendaImportError, type AgendaImport, type AgendaImportErrorCode } from './markdown-agenda';

const WORKER = new URL('./parse-worker.mjs', import.meta.url);

type Reply = { ok: true; result: AgendaImport } | { ok: false; code: AgendaImportErrorCode; message: string };

export interface IsolationLimits {
  /** After this long the worker is terminated and the import refused with `too-complex`. */
  timeoutMs?: number;
  /** The worker's heap; a page that needs more is refused with `too-complex`. */
  maxMemoryMb?: number;
}

/**
 * `parseAgendaPage` in a worker thread with a time and memory limit, so that a
 * pathological page stalls neither the event loop every board's sync shares
 * nor the process: a worker that runs past `timeoutMs` or out of its heap is
 * stopped and the import refused with `too-complex`. The promise settles only
 * once the worker has stopped, so a caller that bounds concurrent imports
 * bounds the memory they hold.
 */
export function parseAgendaPageIsolated(
  markdown: string,
  { timeoutMs = 10_000, maxMemoryMb = 256 }: IsolationLimits = {},
): Promise<AgendaImport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      workerData: markdown,
      resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
    });
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Settle once the thread is gone (terminate is a no-op for one that already exited).
      void worker.terminate().finally(outcome);
    };
    const tooComplex = (message: string) => () => reject(new AgendaImportError('too-complex', message));
    const timer = setTimeout(
      () =>
        settle(
          tooComplex(
            `reading the page took longer than ${Math.round(timeoutMs / 1000)} s; paste only the agenda part of the page`,
          ),
        ),
      timeoutMs,
    );
    worker.once('message', (reply: Reply) => {
      settle(() => {
        if (reply.ok) resolve(reply.result);
        else reject(new AgendaImportError(reply.code, reply.message));
      });
    });
    worker.once('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY')
        settle(
          tooComplex(
            'reading the page needed more memory than an import may use; paste only the agenda part of the page',
          ),
        );
      else settle(() => reject(e));
    });
    worker.once('exit', (code) => {
      settle(() =>
        reject(new Error(`the agenda import worker stopped (exit code ${code}) without an answer`)),
      );
    });
  });
}
