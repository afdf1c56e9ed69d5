import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import * as decoding from 'lib0/decoding';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createLogger } from '../../server/log';
import { PostgresStore } from '../../server/persistence/postgres';
import { RedisRelay } from '../../server/relay/redis';
import { MESSAGE } from '../../shared/protocol';
import { readSyncFrame, syncStep1Frame, updateFrame } from '../../shared/protocol/frames';
import { SioClient, yWebsocketClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { makeClientDir } from '../helpers/client-dir';
import { taskScratch, taskText } from '../helpers/probes';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { PG_URL, postgresAvailable, REDIS_URL, redisAvailable, uniqueSchema } from '../helpers/services';

/**
 * OP4: deploy/nginx.conf, the file deploy/compose.yaml mounts, run by Debian's
 * nginx in front of two real instances on PostgreSQL + Redis (as in
 * scale-out.test.ts). Only its placeholders are replaced here.
 */
const TEMPLATE = readFileSync('deploy/nginx.conf', 'utf8');
const NGINX =
  [process.env.NGINX_PATH, '/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => p && existsSync(p)) ?? null;

const available = (await postgresAvailable()) && (await redisAvailable());
const schema = uniqueSchema();
const dirs: string[] = [];
const processes = new Set<ChildProcess>();

afterEach(async () => {
  await Promise.all(
    [...processes].map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGTERM');
        }),
    ),
  );
  processes.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterAll(async () => {
  if (!available) return;
  const client = new pg.Client(PG_URL);
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await client.end();
});

async function instance(): Promise<TestServer> {
  const log = createLogger('silent');
  const relay = new RedisRelay(REDIS_URL, log, `plenary-test-${schema}:`);
  await relay.ready();
  // Behind the proxy: the client address comes from X-Forwarded-For set by nginx on loopback.
  return startTestServer(
    { trustProxy: 'loopback' },
    { store: new PostgresStore(PG_URL, schema), relay, log },
  );
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** deploy/nginx.conf with its `${NAME}` placeholders replaced; any other placeholder is an error. */
function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`deploy/nginx.conf: no value for \${${name}}`);
    return v;
  });
}

interface Proxy {
  url: string;
  wsUrl: string;
  output: () => string;
}

/** nginx in the foreground with everything (pid, temp files) in a directory of its own. */
async function startNginx(upstreams: [TestServer, TestServer]): Promise<Proxy> {
  if (!NGINX)
    throw new Error("nginx is not installed: apt-get install nginx (.ci/run installs Debian's nginx)");
  const dir = mkdtempSync(path.join(tmpdir(), 'plenary-nginx-'));
  dirs.push(dir);
  // Workers run as an unprivileged user when the tests run as root: they must reach the temp dirs.
  chmodSync(dir, 0o755);
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'plenary.conf'),
    renderTemplate(TEMPLATE, {
      PLENARY_UPSTREAM_A: `127.0.0.1:${upstreams[0].port}`,
      PLENARY_UPSTREAM_B: `127.0.0.1:${upstreams[1].port}`,
      PLENARY_LISTEN: `127.0.0.1:${port}`,
    }),
  );
  // The main context the official image provides around the http-level file.
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      'error_log stderr warn;',
      'events { worker_connections 1024; }',
      'http {',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
      `  include ${dir}/plenary.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  // A file, not a pipe: the access log is /dev/stdout, which nginx opens by name.
  const log = path.join(dir, 'output.log');
  const fd = openSync(log, 'w');
  const proc = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  processes.add(proc);
  const output = (): string => readFileSync(log, 'utf8');
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}:\n${output()}`);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    },
    { timeout: 15_000, interval: 100 },
  );
  return { url, wsUrl: `ws://127.0.0.1:${port}`, output };
}

/**
 * A Socket.io client on long-polling only, keeping cookies like a browser
 * (engine.io-client's cookie jar: `withCredentials`), syncing the tasks document.
 */
class PollingClient {
  readonly socket: Socket;
  readonly doc = new Y.Doc();
  synced = false;

  constructor(url: string, board: string, token: string) {
    this.socket = io(url, {
      auth: { board, token, name: 'Poller' },
      transports: ['polling'],
      withCredentials: true,
      reconnection: false,
      forceNew: true,
    });
    this.socket.on('connect', () => this.socket.emit('y', 'tasks', syncStep1Frame(this.doc)));
    this.socket.on('y', (doc: string, frame: ArrayBuffer) => {
      if (doc !== 'tasks') return;
      const decoder = decoding.createDecoder(new Uint8Array(frame));
      if (decoding.readVarUint(decoder) !== MESSAGE.sync) return;
      const { type, reply } = readSyncFrame(decoder, this.doc, this);
      if (type === 1) this.synced = true;
      if (reply) this.socket.emit('y', 'tasks', reply);
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.socket.emit('y', 'tasks', updateFrame(update));
    });
  }

  close(): void {
    this.socket.disconnect();
    this.doc.destroy();
  }
}

async function connections(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return [...text.matchAll(/^plenary_connections\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describe('OP4: deploy/nginx.conf in front of two instances', () => {
  it('OP4: the template has only the placeholders the compose file and this test fill in', () => {
    const names = new Set([...TEMPLATE.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...names].sort()).toEqual(['PLENARY_LISTEN', 'PLENARY_UPSTREAM_A', 'PLENARY_UPSTREAM_B']);
    const compose = readFileSync('deploy/compose.yaml', 'utf8');
    for (const name of names) expect(compose).toContain(`${name}:`);
    expect(compose).toMatch(/\.\/nginx\.conf:\/etc\/nginx\/templates\/default\.conf\.template/);
    expect(
      NGINX,
      "nginx is not installed: apt-get install nginx (.ci/run installs Debian's nginx)",
    ).not.toBeNull();
  });

  it('OP4, DL1: the client comes through nginx compressed as Plenary sends it, with its caching', async () => {
    const client = await makeClientDir();
    try {
      const servers = [0, 1].map(() => startTestServer({ trustProxy: 'loopback', clientDir: client.dir }));
      const proxy = await startNginx([await servers[0]!, await servers[1]!]);
      const raw = (url: string, encoding: string) =>
        new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>(
          (resolve, reject) => {
            http
              .get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
              })
              .on('error', reject);
          },
        );
      const br = await raw(`${proxy.url}/${client.entry}`, 'gzip, br');
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['vary']).toMatch(/accept-encoding/i);
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(zlib.brotliDecompressSync(br.body).toString()).toBe(client.script);
      const gz = await raw(`${proxy.url}/${client.entry}`, 'gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(zlib.gunzipSync(gz.body).toString()).toBe(client.script);
      const page = await raw(`${proxy.url}/b/some-board`, 'br');
      expect(page.headers['cache-control']).toBe('no-cache');
    } finally {
      client.remove();
    }
  });

  it.skipIf(!available)(
    'OP4: a long-polling Socket.io client, a WebSocket Socket.io client and a stock y-websocket client converge through nginx, on both instances',
    async () => {
      const a = await instance();
      const b = await instance();
      const proxy = await startNginx([a, b]);

      // Sticky route cookie: given once, kept while valid, replaced when it is not ours.
      const first = await fetch(`${proxy.url}/healthz`);
      const cookie = /^plenary_route=([0-9a-f]{32}); Path=\/; HttpOnly; SameSite=Lax$/.exec(
        first.headers.get('set-cookie') ?? '',
      );
      expect(cookie).not.toBeNull();
      const again = await fetch(`${proxy.url}/healthz`, {
        headers: { cookie: `plenary_route=${cookie![1]}` },
      });
      expect(again.headers.get('set-cookie')).toBeNull();
      const forged = await fetch(`${proxy.url}/healthz`, { headers: { cookie: 'plenary_route=../../x' } });
      expect(forged.headers.get('set-cookie')).toMatch(/^plenary_route=[0-9a-f]{32};/);
      // Metrics are not served through the proxy, even though nginx connects from loopback.
      expect((await fetch(`${proxy.url}/metrics`)).status).toBe(404);

      const res = await fetch(`${proxy.url}/api/boards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Behind nginx' }),
      });
      expect(res.status).toBe(201);
      const board = (await res.json()) as CreatedBoard;
      const token = board.tokens.participant;

      const poller = new PollingClient(proxy.url, board.id, token);
      const socket = new SioClient(proxy.url, { board: board.id, token }, { transports: ['websocket'] });
      const stock = yWebsocketClient(proxy.wsUrl, board.id, 'tasks', token);
      await eventually(
        () => expect(poller.synced && socket.synced.size === 3 && stock.provider.synced).toBe(true),
        {
          timeout: 15_000,
        },
      );
      // Routes are random per client: add stock viewers until both instances serve someone.
      const viewers = [];
      while ((await connections(a)) === 0 || (await connections(b)) === 0) {
        expect(viewers.length).toBeLessThan(40);
        const v = yWebsocketClient(proxy.wsUrl, board.id, 'tasks', board.tokens.viewer);
        viewers.push(v);
        await eventually(() => expect(v.provider.synced).toBe(true), { timeout: 15_000 });
      }

      taskScratch(poller.doc, 'polling').insert(0, 'over long-polling');
      taskScratch(socket.docs.tasks, 'websocket').insert(0, 'over Socket.io WebSocket');
      taskScratch(stock.doc, 'stock').insert(0, 'over y-websocket');
      const everyone = [poller.doc, socket.docs.tasks, stock.doc, ...viewers.map((v) => v.doc)];
      await eventually(
        () => {
          for (const doc of everyone) {
            expect(taskText(doc, 'polling')).toBe('over long-polling');
            expect(taskText(doc, 'websocket')).toBe('over Socket.io WebSocket');
            expect(taskText(doc, 'stock')).toBe('over y-websocket');
          }
        },
        { timeout: 15_000 },
      );
      // Each instance received the other's updates through Redis and measured how late they came.
      for (const server of [a, b]) {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        expect(Number(/^plenary_relay_lag_seconds_count (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
      }
      // The polling client really stayed on long-polling, across many requests on one sticky route.
      expect(poller.socket.io.engine.transport.name).toBe('polling');
      expect(poller.socket.connected).toBe(true);

      poller.close();
      socket.close();
      stock.provider.destroy();
      for (const v of viewers) v.provider.destroy();
      // nginx's access log (stdout) holds paths, never the tokens in y-websocket query strings.
      await eventually(() => expect(proxy.output()).toMatch(/GET \/yjs\//));
      for (const t of Object.values(board.tokens)) expect(proxy.output()).not.toContain(t);
    },
    90_000,
  );
});
