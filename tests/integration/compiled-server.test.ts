import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAgenda } from '../../shared/schema';
import { startChildServer } from '../helpers/child-server';
import { SioClient, yWebsocketClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { taskScratch, taskText } from '../helpers/probes';
import type { CreatedBoard } from '../helpers/server';

// The build `npm start` runs (scripts/build-server.mjs), into a folder of this
// run's own inside the repo (so that node_modules resolve as from dist/server).
const outdir = path.join('dist', `.test-build-${process.pid}`);
const entry = path.join(outdir, 'main.js');
const dataDirs: string[] = [];

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-server.mjs', '--outdir', outdir], { stdio: 'pipe' });
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});
const dataDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'plenary-compiled-'));
  dataDirs.push(d);
  return d;
};

async function createBoard(url: string): Promise<CreatedBoard> {
  const res = await fetch(`${url}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Compiled' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as CreatedBoard;
}

const AGENDA_PAGE = [
  '# Compiled Workshop',
  '',
  'Date: 2026-03-14 (Europe/Berlin)',
  '',
  '| Time | Talk | Speaker |',
  '| --- | --- | --- |',
  '| 09:00 - 09:30 | Opening | Ada Lovelace |',
  '| 09:30 - 10:15 | Bundles without loaders | Grace Hopper |',
  '',
].join('\n');

describe('OP1: the compiled server (npm start, the Docker image)', () => {
  it('OP1: is plain JavaScript with source maps, and imports no TypeScript loader', async () => {
    const files = readdirSync(outdir).sort();
    for (const f of [
      'demo-workshop.md',
      'main.js',
      'main.js.map',
      'parse-worker.mjs',
      'parse-worker.mjs.map',
      'heavy-worker.mjs',
      'heavy-worker.mjs.map',
    ])
      expect(files).toContain(f);
    // Besides: the chunks loaded only with DATABASE_URL or REDIS_URL (pg, ioredis), each with its map.
    const chunks = files.filter((f) => f.endsWith('.js') && f !== 'main.js');
    expect(chunks.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^(demo-workshop\.md|[\w-]+\.m?js(\.map)?)$/);
    const code = (f: string): string => readFileSync(path.join(outdir, f), 'utf8');
    for (const f of files.filter((n) => /\.m?js$/.test(n))) {
      expect(code(f)).not.toMatch(/from\s+["']tsx(\/[^"']*)?["']/);
      expect(code(f)).not.toMatch(/import\(\s*["']tsx/);
      expect(code(f)).toMatch(/\/\/# sourceMappingURL=/);
    }
    // A single instance on SQLite never loads the PostgreSQL or Redis client.
    expect(code('main.js')).not.toMatch(/^import .* from "(pg|ioredis)";$/m);
    expect(chunks.map(code).join('\n')).toMatch(/^import .* from "pg";$/m);
    expect(chunks.map(code).join('\n')).toMatch(/^import .* from "ioredis";$/m);
    // And they load as they are, by plain node (what `await import()` in app.ts does when configured).
    for (const f of chunks) await import(pathToFileURL(path.resolve(outdir, f)).href);
    const map = JSON.parse(readFileSync(path.join(outdir, 'main.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('server/main.ts'))).toBe(true);
    // Nothing at run time needs tsx: it is a development dependency only.
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.scripts.start).toMatch(/node --enable-source-maps dist\/server\/main\.js$/);
  });

  it('OP1, HV1: run by plain node: a board is created and synced over both transports, an agenda import reads the page in its worker, exports are made in the heavy-work pool, SIGTERM stops it cleanly', async () => {
    // Every heavy task in the pool's worker, however small the board (HV1).
    const server = await startChildServer(
      { DATA_DIR: dataDir(), HEAVY_INLINE_BYTES: '0' },
      { compiled: entry },
    );
    expect(server.proc.spawnargs.slice(1)).toEqual(['--enable-source-maps', entry]);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);

    const board = await createBoard(server.url);
    const writer = new SioClient(server.url, { board: board.id, token: board.tokens.participant });
    const watcher = yWebsocketClient(server.wsUrl, board.id, 'tasks', board.tokens.viewer);
    await eventually(() => expect(writer.synced.size === 3 && watcher.provider.synced).toBe(true));
    taskScratch(writer.docs.tasks, 'compiled').insert(0, 'built once');
    await eventually(() => expect(taskText(watcher.doc, 'compiled')).toBe('built once'));

    const agenda = yWebsocketClient(server.wsUrl, board.id, 'agenda', board.tokens.viewer);
    const res = await fetch(`${server.url}/api/boards/${board.id}/agenda/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.organizer}` },
      body: JSON.stringify({ markdown: AGENDA_PAGE }),
    });
    const body = (await res.json()) as { items: { title: string }[]; meta: { title: string } };
    expect(res.status).toBe(200);
    expect(body.meta.title).toBe('Compiled Workshop');
    expect(body.items.map((i) => i.title)).toEqual(['Opening', 'Bundles without loaders']);
    await eventually(() =>
      expect(readAgenda(agenda.doc).items.map((i) => i.title)).toEqual([
        'Opening',
        'Bundles without loaders',
      ]),
    );

    // The heavy-work pool's worker, bundled: an export and a suggestion come from it.
    const exported = await fetch(`${server.url}/api/boards/${board.id}/export.json`, {
      headers: { authorization: `Bearer ${board.tokens.viewer}` },
    });
    expect(exported.status).toBe(200);
    const json = (await exported.json()) as { tasks: { title: string }[]; agenda: { items: unknown[] } };
    expect(json.tasks.map((t) => t.title)).toContain('built once');
    const suggested = await fetch(`${server.url}/api/boards/${board.id}/groups/suggest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.organizer}` },
      body: '{}',
    });
    expect(suggested.status).toBe(200);
    expect(((await suggested.json()) as { groups: unknown[] }).groups).toEqual([]);

    writer.close();
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toMatch(/tsx|ERR_UNKNOWN_FILE_EXTENSION/);
  });
});
