import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../shared/protocol';
import { startChildServer, type ChildServer } from '../helpers/child-server';
import { SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { taskScratch, taskText } from '../helpers/probes';
import type { CreatedBoard } from '../helpers/server';

/**
 * The attacks of the limits issue, replayed against the real server as a
 * separate process with its default limits, so that its memory (RSS) and the
 * echo latency of another board are its own. Bounds are generous (a shared,
 * noisy machine); the figures are printed, and the ratios live in the bench.
 */

const clients: { close(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
};

async function createBoard(server: ChildServer, title: string): Promise<CreatedBoard> {
  const res = await fetch(`${server.url}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as CreatedBoard;
}

/** Two people on a board of their own: time from one's keystroke to the other's copy. */
async function echoProbe(server: ChildServer): Promise<() => Promise<number>> {
  const board = await createBoard(server, 'Bystanders');
  const auth = { board: board.id, token: board.tokens.participant };
  // This process also pushes the flood (300 MB for I1): a stall here past the ping timeout
  // drops the probe's sockets, which then reconnect and resync, as our app's client does.
  const writer = new SioClient(server.url, { ...auth, name: 'Writer' }, { reconnect: true });
  const reader = new SioClient(server.url, { ...auth, name: 'Reader' }, { reconnect: true });
  clients.push(writer, reader);
  await eventually(() => expect(writer.synced.size + reader.synced.size).toBe(6), { timeout: 20_000 });
  const text = taskScratch(writer.docs.tasks);
  let n = 0;
  return async () => {
    const started = Date.now();
    text.delete(0, text.length);
    text.insert(0, `echo ${++n}`);
    await eventually(() => expect(taskText(reader.docs.tasks)).toBe(`echo ${n}`), {
      timeout: 30_000,
      interval: 5,
    });
    return Date.now() - started;
  };
}

/** Echo latencies measured back to back while `attack` runs. */
async function echoesDuring(echo: () => Promise<number>, attack: Promise<unknown>): Promise<number[]> {
  let done = false;
  void attack.finally(() => (done = true));
  const samples: number[] = [];
  while (!done) samples.push(await echo());
  await attack;
  samples.push(await echo());
  return samples;
}

const max = (xs: number[]): number => Math.max(...xs);

describe('I1, I4, I5: the attack table of the limits issue, against a server process with default limits', () => {
  it(
    'I4: 1,000 y-websocket connections at once on one viewer link: only CONNECTIONS_PER_IP (200) are served, the rest get 4429; another board keeps answering',
    { timeout: 120_000 },
    async () => {
      const server = await startChildServer({});
      const echo = await echoProbe(server);
      const victim = await createBoard(server, 'Stormed');
      const before = rssMb(server.proc.pid!);
      const url = `${server.wsUrl}/yjs/${victim.id}/board?token=${victim.tokens.viewer}`;
      const outcomes: Promise<'open' | number>[] = [];
      const storm = (async () => {
        const sockets = Array.from({ length: 1000 }, () => new WebSocket(url));
        for (const ws of sockets) {
          clients.push({ close: () => ws.terminate() });
          outcomes.push(
            new Promise((resolve) => {
              // A served connection receives the server's sync step 1; a refused one is closed.
              ws.once('message', () => resolve('open'));
              ws.once('close', (code) => resolve(code));
              ws.once('error', () => resolve(-1));
            }),
          );
        }
        return Promise.all(outcomes);
      })();
      const echoes = await echoesDuring(echo, storm);
      const results = await storm;
      const served = results.filter((r) => r === 'open').length;
      const refused = results.filter((r) => r === CLOSE.overloaded).length;
      const grown = rssMb(server.proc.pid!) - before;
      process.stdout.write(
        `I4 storm: ${served} served, ${refused} refused with 4429; other board's echo max ${max(echoes)} ms over ${echoes.length} samples; RSS +${grown.toFixed(0)} MB\n`,
      );
      // The echo probe's two connections come from the same address.
      expect(served).toBe(200 - 2);
      expect(refused).toBe(1000 - 198);
      expect(max(echoes)).toBeLessThan(10_000);
      expect(grown).toBeLessThan(300);
    },
  );

  it(
    'I1: 20 concurrent 15 MiB WebSocket frames are refused before they are buffered (4413): RSS stays flat, another board keeps answering',
    { timeout: 120_000 },
    async () => {
      const server = await startChildServer({});
      const echo = await echoProbe(server);
      const victim = await createBoard(server, 'Flooded');
      const before = rssMb(server.proc.pid!);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.proc.pid!))), 20);
      const frame = Buffer.alloc(15 * 1024 * 1024, 1);
      const url = `${server.wsUrl}/yjs/${victim.id}/board?token=${victim.tokens.participant}`;
      const flood = Promise.all(
        Array.from(
          { length: 20 },
          () =>
            new Promise<number>((resolve) => {
              const ws = new WebSocket(url);
              clients.push({ close: () => ws.terminate() });
              ws.once('open', () => ws.send(frame));
              ws.once('close', (code) => resolve(code));
              ws.once('error', () => {});
            }),
        ),
      );
      // The sampler stops whatever happens: a failed echo must not leave it reading a gone process.
      const echoes = await echoesDuring(echo, flood).finally(() => clearInterval(sampler));
      const codes = await flood;
      process.stdout.write(
        `I1 frames: closes ${[...new Set(codes)].join(',')}; RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MB; other board's echo max ${max(echoes)} ms\n`,
      );
      expect(codes.every((c) => c === CLOSE.tooLarge)).toBe(true);
      // Before the limit each frame was buffered whole: +329 MB for these 20.
      expect(peak - before).toBeLessThan(120);
      expect(max(echoes)).toBeLessThan(10_000);
    },
  );

  it(
    'I5: 16 concurrent imports of pathological pages: never 500, at most MAX_CONCURRENT_IMPORTS read at a time (503 beyond), memory bounded',
    { timeout: 120_000 },
    async () => {
      const server = await startChildServer({ IMPORT_TIMEOUT_MS: '3000', IMPORT_MEMORY_MB: '128' });
      const board = await createBoard(server, 'Imports');
      const before = rssMb(server.proc.pid!);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.proc.pid!))), 20);
      const page = '| Time | Topic |\n|---|---|\n| 10:00 | ' + '['.repeat(499_000) + '|\n';
      const statuses = await Promise.all(
        Array.from({ length: 16 }, async () => {
          const res = await fetch(`${server.url}/api/boards/${board.id}/agenda/import`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${board.tokens.organizer}`,
            },
            body: JSON.stringify({ markdown: page, dryRun: true }),
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      clearInterval(sampler);
      process.stdout.write(
        `I5 imports: statuses ${statuses.sort().join(',')}; RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MB\n`,
      );
      expect(statuses).not.toContain(500);
      expect(statuses.every((s) => [200, 422, 503].includes(s))).toBe(true);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(14 - 2);
      // Two workers of IMPORT_MEMORY_MB (128 here) at most; before the limits: +828 MB.
      expect(peak - before).toBeLessThan(2 * 128 + 250);
    },
  );
});
