import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from '../log';
import { HttpError } from './context';

export interface RequestLimit {
  /** Requests allowed per key and window. */
  limit: number;
  windowMs: number;
  /** The `error.code` of the 429 answer. */
  code: string;
  /** The 429 message; `seconds` is the Retry-After value. */
  message: (seconds: number) => string;
  log: Logger;
  /** What is counted: the client address (default; per 'trust proxy') or something else. */
  key?: (req: Request, res: Response) => string;
  /** Requests that fail (4xx, 5xx) do not count. */
  skipFailedRequests?: boolean;
  /** Only requests that fail count. */
  skipSuccessfulRequests?: boolean;
  /** Requests that are never counted nor refused. */
  skip?: (req: Request) => boolean | Promise<boolean>;
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
    ...(o.key ? { keyGenerator: o.key } : {}),
    ...(o.skip ? { skip: o.skip } : {}),
    handler: (req, _res, next) => next(new HttpError(429, o.code, o.message(retryIn(req)))),
  });
}
