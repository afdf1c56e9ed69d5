import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer } from '../helpers/child-server';
import { eventually } from '../helpers/eventually';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('npm start on an empty data directory', () => {
  it('creates a demo board dated today, prints its links, and only once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-demo-'));
    dirs.push(dataDir);
    const server = await startChildServer({ DATA_DIR: dataDir, DEMO_BOARD: '1' });
    const out = await eventually(() => {
      const m = /organizer:\s+(\S+)/.exec(server.output());
      expect(m).not.toBeNull();
      return server.output();
    });
    const organizer = /organizer:\s+\S+\/b\/([^#\s]+)#(\S+)/.exec(out)!;
    expect(out).toMatch(/participant:\s+http:\/\/\S+\/b\/\S+#\S+/);
    expect(out).toMatch(/viewer:\s+http:\/\/\S+\/b\/\S+#\S+/);
    const [, id, token] = organizer;
    const res = await fetch(`${server.url}/api/boards/${id}/export.json`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as {
      agenda: { meta: { date: string; timeZone: string }; items: unknown[] };
    };
    expect(body.agenda.items.length).toBeGreaterThanOrEqual(8);
    expect(body.agenda.meta.date).toBe(DateTime.now().setZone(body.agenda.meta.timeZone).toISODate());
    server.proc.kill('SIGTERM');
    await server.exited;

    // The "running at" line comes after start-up work, the demo board included.
    const again = await startChildServer({ DATA_DIR: dataDir, DEMO_BOARD: '1' });
    expect(again.output()).not.toContain('demo board');
    again.proc.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
