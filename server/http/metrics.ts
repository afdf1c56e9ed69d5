import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Metrics } from '../metrics';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Compares in constant time (the digests have the same length whatever was sent). */
const sameSecret = (sent: string, expected: string): boolean =>
  timingSafeEqual(digest(sent), digest(expected));

/**
 * A request from this machine that no proxy forwarded: the socket's own
 * address (never X-Forwarded-For) is loopback, and no forwarding header is
 * present (a proxy on the same host would otherwise make every request local).
 */
export function isLocalRequest(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '::1' || /^127\./.test(address) || /^::ffff:127\./i.test(address);
  return loopback && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

/**
 * `GET /metrics` in Prometheus text format. With `token` (METRICS_TOKEN) it
 * needs `Authorization: Bearer <token>` (401 otherwise); without one, only
 * local requests are answered (403 otherwise).
 */
export function metricsRoute(metrics: Metrics, token: string | null): RequestHandler {
  return async (req, res, next) => {
    if (token !== null) {
      const header = req.get('authorization') ?? '';
      const sent = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!sameSecret(sent, token)) {
        res
          .set('www-authenticate', 'Bearer')
          .status(401)
          .type('text')
          .send('metrics need the metrics token\n');
        return;
      }
    } else if (!isLocalRequest(req)) {
      res.status(403).type('text').send('metrics are served to this machine only (or set METRICS_TOKEN)\n');
      return;
    }
    try {
      const { contentType, body } = await metrics.scrape();
      res.set('cache-control', 'no-store').type(contentType).send(body);
    } catch (e) {
      next(e);
    }
  };
}
