import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer } from '../helpers/child-server';
import { SioClient, yWebsocketClient } from '../helpers/clients';
import { taskScratch, taskText } from '../helpers/probes';
import { eventually } from '../helpers/eventually';
import type { CreatedBoard } from '../helpers/server';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'plenary-durability-'));
  dirs.push(d);
  return d;
};

async function createBoard(url: string): Promise<CreatedBoard> {
  const res = await fetch(`${url}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Durable' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as CreatedBoard;
}

describe('S1: nothing a client has received is lost', () => {
  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'after %s and a restart, every acknowledged or relayed update is there',
    async (signal) => {
      const dataDir = tempDir();
      const first = await startChildServer({ DATA_DIR: dataDir });
      const board = await createBoard(first.url);
      const writer = new SioClient(first.url, { board: board.id, token: board.tokens.participant });
      const watcher = yWebsocketClient(first.wsUrl, board.id, 'tasks', board.tokens.viewer);
      await eventually(() => expect(writer.synced.size === 3 && watcher.provider.synced).toBe(true));
      const text = taskScratch(writer.docs.tasks, 'log');
      for (let i = 0; i < 100; i++) text.insert(text.length, `${i},`);
      // What the other client has received is what must survive.
      await eventually(() => expect(taskText(watcher.doc, 'log').split(',').length).toBe(101));
      const received = taskText(watcher.doc, 'log');
      first.proc.kill(signal);
      const code = await first.exited;
      if (signal === 'SIGTERM') expect(code).toBe(0);
      writer.close();

      const second = await startChildServer({ DATA_DIR: dataDir });
      const reader = new SioClient(second.url, { board: board.id, token: board.tokens.viewer });
      await eventually(() => expect(reader.synced.size).toBe(3));
      expect(taskText(reader.docs.tasks, 'log')).toBe(received);
      second.proc.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    },
  );
});
