import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server';

/** Response headers (issue 9): a strict CSP, nosniff, no referrer, never framed, HSTS only over https. */

const directives = (csp: string | null): Map<string, string[]> =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );

describe('security headers', () => {
  it('sends a strict Content-Security-Policy that allows our own WebSocket, and the usual headers', async () => {
    const server = await startTestServer();
    const host = new URL(server.url).host;
    for (const path of ['/healthz', '/api/nothing-here']) {
      const res = await fetch(`${server.url}${path}`);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('script-src-attr')).toEqual(["'none'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('names PUBLIC_URL as the WebSocket origin and sends HSTS when it is https', async () => {
    const server = await startTestServer({ publicUrl: 'https://plenary.example.org' });
    const res = await fetch(`${server.url}/healthz`);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('connect-src')).toEqual(["'self'", 'wss://plenary.example.org']);
    expect(csp.has('upgrade-insecure-requests')).toBe(true);
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  });

  it('sends no HSTS when PUBLIC_URL is plain http', async () => {
    const server = await startTestServer({ publicUrl: 'http://plenary.test:8080' });
    const res = await fetch(`${server.url}/healthz`);
    expect(directives(res.headers.get('content-security-policy')).get('connect-src')).toEqual([
      "'self'",
      'ws://plenary.test:8080',
    ]);
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});
