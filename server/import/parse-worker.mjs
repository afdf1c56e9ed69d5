// Worker thread that reads one agenda page (see parse-in-worker.ts). Plain
// JavaScript so that Node can start it without a loader; it loads the
// TypeScript parser through tsx's API, in the server as in the tests.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { parseAgendaPage, AgendaImportError } = await tsImport('./markdown-agenda.ts', import.meta.url);
try {
  parentPort.postMessage({ ok: true, result: parseAgendaPage(workerData) });
} catch (e) {
  if (e instanceof AgendaImportError) parentPort.postMessage({ ok: false, code: e.code, message: e.message });
  else
    parentPort.postMessage({
      ok: false,
      code: 'not-text',
      message: `the page could not be read: ${e.message}`,
    });
}
