import { Worker } from 'node:worker_threads';
import { AgendaImportError, type AgendaImport, type AgendaImportErrorCode } from './markdown-agenda';

const WORKER = new URL('./parse-worker.mjs', import.meta.url);

type Reply = { ok: true; result: AgendaImport } | { ok: false; code: AgendaImportErrorCode; message: string };

/**
 * `parseAgendaPage` in a worker thread with a time and memory limit, so that a
 * pathological page stalls neither the event loop every board's sync shares
 * nor the process: after `timeoutMs` the worker is terminated and the import
 * refused with `too-complex`.
 */
export function parseAgendaPageIsolated(markdown: string, timeoutMs = 10_000): Promise<AgendaImport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      workerData: markdown,
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    const done = (): void => {
      clearTimeout(timer);
      void worker.terminate();
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new AgendaImportError(
          'too-complex',
          `reading the page took longer than ${Math.round(timeoutMs / 1000)} s; paste only the agenda part of the page`,
        ),
      );
    }, timeoutMs);
    worker.once('message', (reply: Reply) => {
      done();
      if (reply.ok) resolve(reply.result);
      else reject(new AgendaImportError(reply.code, reply.message));
    });
    worker.once('error', (e) => {
      done();
      reject(e);
    });
  });
}
