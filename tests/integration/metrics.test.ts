import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isLocalRequest } from '../../server/http/metrics';
import { SioClient, yWebsocketClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { noteScratch, whoOf } from '../helpers/probes';
import { startTestServer, type TestServer } from '../helpers/server';

/** One sample of the text exposition format: `name{a="x",b="y"} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of one series (0 when it does not exist yet). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.reduce((sum, s) => sum + s.value, 0);
}

async function scrape(server: TestServer, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await fetch(`${server.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  return parse(await res.text());
}

const fakeRequest = (remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage =>
  ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

afterEach(() => {
  delete process.env.METRICS_TOKEN;
});

describe('OP2: who may read GET /metrics', () => {
  it('OP2: without METRICS_TOKEN, a loopback request gets the Prometheus text format; a forwarded one gets 403', async () => {
    const server = await startTestServer();
    await server.createBoard();
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    // Every metric, ours and the default process metrics, is named plenary_*.
    const names = new Set(parse(text).map((s) => s.name));
    for (const name of names) expect(name).toMatch(/^plenary_/);
    for (const line of text.split('\n').filter((l) => l.startsWith('# ')))
      expect(line).toMatch(/^# \w+ plenary_/);
    for (const name of [
      'plenary_connections',
      'plenary_documents_loaded',
      'plenary_updates_total',
      'plenary_flush_duration_seconds_count',
      'plenary_store_duration_seconds_count',
      'plenary_relay_lag_seconds_count',
      'plenary_nodejs_eventloop_lag_seconds',
      'plenary_process_cpu_user_seconds_total',
      'plenary_process_resident_memory_bytes',
      'plenary_nodejs_heap_size_used_bytes',
    ])
      expect(names).toContain(name);

    // A proxy on this machine makes every request local: forwarded requests are not.
    const proxied: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.7' },
      { forwarded: 'for=203.0.113.7' },
    ];
    for (const headers of proxied) {
      const forwarded = await fetch(`${server.url}/metrics`, { headers });
      expect(forwarded.status).toBe(403);
      expect(await forwarded.text()).not.toMatch(/plenary_/);
    }
  });

  it('OP2: local means the socket address is loopback (IPv4, IPv6, mapped) and no proxy forwarded the request', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(isLocalRequest(fakeRequest(a))).toBe(true);
    for (const a of ['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', 'fe80::1', '', '1270.0.0.1'])
      expect(isLocalRequest(fakeRequest(a))).toBe(false);
    expect(isLocalRequest(fakeRequest('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }))).toBe(false);
  });

  it('OP2: with METRICS_TOKEN, only `Authorization: Bearer <token>` reads them, from anywhere', async () => {
    const server = await startTestServer({ metricsToken: 'scrape-secret-123' });
    for (const authorization of [
      undefined,
      'Bearer wrong',
      'Bearer scrape-secret-12',
      'scrape-secret-123',
      'Basic x',
    ]) {
      const res = await fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const ok = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer scrape-secret-123', 'x-forwarded-for': '203.0.113.7' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^# HELP plenary_/m);
  });

  it('OP2: each server counts in a registry of its own', async () => {
    const a = await startTestServer();
    const b = await startTestServer();
    expect(a.metrics.registry).not.toBe(b.metrics.registry);
    const board = await a.createBoard();
    const client = new SioClient(a.url, { board: board.id, token: board.tokens.viewer });
    await eventually(() => expect(client.synced.size).toBe(3));
    // The three shared documents; private notes only in private writing (PW1).
    expect(value(await scrape(a), 'plenary_documents_loaded')).toBe(3);
    expect(value(await scrape(b), 'plenary_documents_loaded')).toBe(0);
  });
});

describe('OP3: the metrics move with what clients do', () => {
  it('OP3: connections by transport and role, documents loaded, updates accepted and refused by reason, flush and store latency', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Counted');
    const before = await scrape(server);
    expect(value(before, 'plenary_connections')).toBe(0);
    expect(value(before, 'plenary_updates_total', { outcome: 'refused', reason: 'read-only' })).toBe(0);
    expect(value(before, 'plenary_updates_total', { outcome: 'refused', reason: 'schema' })).toBe(0);

    const writer = new SioClient(server.url, { board: board.id, token: board.tokens.participant });
    const viewer = yWebsocketClient(server.wsUrl, board.id, 'tasks', board.tokens.viewer);
    await eventually(() => expect(writer.synced.size === 3 && viewer.provider.synced).toBe(true));
    await eventually(async () => {
      const s = await scrape(server);
      expect(value(s, 'plenary_connections', { transport: 'socket.io', role: 'participant' })).toBe(1);
      expect(value(s, 'plenary_connections', { transport: 'y-websocket', role: 'viewer' })).toBe(1);
      expect(value(s, 'plenary_connections')).toBe(2);
      // The three shared documents; private notes only in private writing (PW1).
      expect(value(s, 'plenary_documents_loaded')).toBe(3);
    });

    // Accepted: four updates of the writer (a note, three letters), stored, flushed and sent on.
    const accepted0 = value(await scrape(server), 'plenary_updates_total', { outcome: 'accepted' });
    const text = noteScratch(writer.docs.board, whoOf(writer));
    text.insert(0, 'a');
    text.insert(1, 'b');
    text.insert(2, 'c');
    await eventually(() => expect(writer.acks.filter((a) => a.ok).length).toBe(4));
    const afterWrites = await scrape(server);
    expect(value(afterWrites, 'plenary_updates_total', { outcome: 'accepted' }) - accepted0).toBe(4);
    expect(value(afterWrites, 'plenary_flush_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(
      value(afterWrites, 'plenary_store_duration_seconds_count', { op: 'append', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(afterWrites, 'plenary_store_duration_seconds_count', { op: 'load', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(3);

    // Refused: a viewer's write (read-only), and a root the schema does not have.
    viewer.doc.getMap('meta').set('title', 'not mine');
    await eventually(async () =>
      expect(
        value(await scrape(server), 'plenary_updates_total', { outcome: 'refused', reason: 'read-only' }),
      ).toBe(1),
    );
    writer.docs.tasks.getMap('rogue').set('x', 1);
    await eventually(async () =>
      expect(
        value(await scrape(server), 'plenary_updates_total', { outcome: 'refused', reason: 'schema' }),
      ).toBe(1),
    );
    expect(value(await scrape(server), 'plenary_updates_total', { outcome: 'accepted' }) - accepted0).toBe(4);

    // Gone: the gauges come back down.
    writer.close();
    viewer.provider.destroy();
    await eventually(async () => {
      const s = await scrape(server);
      expect(value(s, 'plenary_connections')).toBe(0);
      expect(value(s, 'plenary_connections', { transport: 'socket.io', role: 'participant' })).toBe(0);
    });
  });
});
