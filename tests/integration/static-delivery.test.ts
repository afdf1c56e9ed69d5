import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClientDir, type ClientDir } from '../helpers/client-dir';
import { startTestServer } from '../helpers/server';

/**
 * DL1: the built client is sent compressed (brotli or gzip copies made at
 * build time, chosen by Accept-Encoding) with caching fit for each kind of
 * file. deploy-proxy.test.ts checks the same through nginx.
 */
let client: ClientDir;
let dir = '';
let ENTRY = '';
let SCRIPT = '';

beforeAll(async () => {
  client = await makeClientDir();
  ({ dir, entry: ENTRY, script: SCRIPT } = client);
});
afterAll(() => client.remove());

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request whose body is kept as sent (fetch would decompress it). */
function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('DL1: compressed, cached delivery of the built client', () => {
  it('DL1: the build step writes brotli and gzip copies of text files, not of maps or tiny files', () => {
    expect(zlib.brotliDecompressSync(readFileSync(path.join(dir, `${ENTRY}.br`))).toString()).toBe(SCRIPT);
    expect(zlib.gunzipSync(readFileSync(path.join(dir, `${ENTRY}.gz`))).toString()).toBe(SCRIPT);
    expect(existsSync(path.join(dir, 'sw.js.br'))).toBe(true);
    expect(existsSync(path.join(dir, `${ENTRY}.map.br`))).toBe(false);
    expect(existsSync(path.join(dir, 'favicon.svg.br'))).toBe(false);
  });

  it('DL1: a hashed script is sent as brotli when accepted, else gzip, else as it is; immutable for a year', async () => {
    const server = await startTestServer({ clientDir: dir });
    const url = `${server.url}/${ENTRY}`;

    const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toMatch(/accept-encoding/i);
    expect(br.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(br.headers['cache-control']).toBe(IMMUTABLE);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 3);
    // A script carries what applies to it, not the page's policy headers.
    expect(br.headers['x-content-type-options']).toBe('nosniff');
    expect(br.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(br.headers['content-security-policy']).toBeUndefined();
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(SCRIPT);

    const gz = await get(url, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['vary']).toMatch(/accept-encoding/i);
    expect(gz.headers['cache-control']).toBe(IMMUTABLE);
    expect(zlib.gunzipSync(gz.body).toString()).toBe(SCRIPT);

    const plain = await get(url, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toMatch(/accept-encoding/i);
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('DL1: pages and the service worker are revalidated at every visit; other files cached an hour', async () => {
    const server = await startTestServer({ clientDir: dir });
    const page = await get(`${server.url}/b/some-board`, { accept: 'text/html', 'accept-encoding': 'br' });
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body.toString()).toContain(ENTRY);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");

    const sw = await get(`${server.url}/sw.js`, { 'accept-encoding': 'br' });
    expect(sw.headers['content-encoding']).toBe('br');
    expect(sw.headers['cache-control']).toBe('no-cache');

    const icon = await get(`${server.url}/favicon.svg`, { 'accept-encoding': 'br' });
    expect(icon.status).toBe(200);
    expect(icon.headers['content-encoding']).toBeUndefined();
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('DL1: a missing asset is a 404, not the page', async () => {
    const server = await startTestServer({ clientDir: dir });
    const res = await get(`${server.url}/assets/gone-12345678.js`, { 'accept-encoding': 'br' });
    expect(res.status).toBe(404);
  });
});
