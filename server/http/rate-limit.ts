import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Logger } from '../log';
import { HttpError } from './context';

/**
 * Counters shared by every instance (`REDIS_URL`): each limit counts in Redis
 * (rate-limit-redis), so a bound per address or per link is the documented one
 * however many instances serve the requests. Without Redis each instance
 * counts in memory, which is exact for one instance.
 */
export class SharedLimits {
  /** Limits built so far, per name: two limits of one name count apart (built in the same order everywhere). */
  private readonly built = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    /** Key prefix, so that several deployments (or test runs) can share one Redis. */
    private readonly prefix: string,
  ) {}

  store(name: string): Store {
    const n = (this.built.get(name) ?? 0) + 1;
    this.built.set(name, n);
    return new RedisStore({
      prefix: `${this.prefix}rl:${name}:${n}:`,
      sendCommand: (command: string, ...args: string[]) =>
        this.redis.call(command, ...args) as Promise<RedisReply>,
    });
  }
}

export interface RequestLimit {
  /** Requests allowed per key and window. */
  limit: number;
  windowMs: number;
  /** The `error.code` of the 429 answer. */
  code: string;
  /** The 429 message; `seconds` is the Retry-After value. */
  message: (seconds: number) => string;
  log: Logger;
  /** Counters of the cluster (RouteContext `limits`); null or absent: this instance's memory. */
  shared?: SharedLimits | null;
  /** What is counted: the client address (default; per 'trust proxy') or something else. */
  key?: (req: Request, res: Response) => string;
  /** Requests that fail (4xx, 5xx) do not count. */
  skipFailedRequests?: boolean;
  /** Only requests that fail count. */
  skipSuccessfulRequests?: boolean;
  /** Requests that are never counted nor refused. */
  skip?: (req: Request, res: Response) => boolean | Promise<boolean>;
}

/**
 * A fixed-window limit (express-rate-limit): over it, 429 with `Retry-After`
 * (seconds) and the usual `{ error: { code, message } }` body. The client
 * address is the socket's, or X-Forwarded-For's when TRUST_PROXY says so.
 */
export function limitRequests(o: RequestLimit): RequestHandler {
  const retryIn = (req: Request): number => {
    const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    return Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + o.windowMs) - Date.now()) / 1000));
  };
  return rateLimit({
    windowMs: o.windowMs,
    limit: o.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipFailedRequests: o.skipFailedRequests ?? false,
    skipSuccessfulRequests: o.skipSuccessfulRequests ?? false,
    logger: o.log,
    ...(o.shared ? { store: o.shared.store(o.code) } : {}),
    // Redis out of reach must not stop a workshop: the request goes through (express-rate-limit logs it).
    passOnStoreError: true,
    ...(o.key ? { keyGenerator: o.key } : {}),
    ...(o.skip ? { skip: o.skip } : {}),
    handler: (req, _res, next) => next(new HttpError(429, o.code, o.message(retryIn(req)))),
  });
}
