import type { Request, RequestHandler, Response } from 'express';
import type { Role } from '../../shared/schema';
import type { BoardSnapshot } from '../boards/snapshot';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { DocAccess } from '../sync/doc-access';
import type { SharedLimits } from './rate-limit';

// Defined where they belong (sync/, boards/); named here for the route modules.

/** Who the request's token says it is, for one board. */
export interface BoardAuth {
  id: string;
  title: string;
  role: Role;
}

/** What every route module receives; route modules are `(ctx) => Router`. */
export interface RouteContext {
  config: Config;
  log: Logger;
  docs: DocAccess;
  snapshot(boardId: string): Promise<BoardSnapshot>;
  /** Rate-limit counters shared by the instances (`REDIS_URL`); null: each instance counts its own. */
  limits: SharedLimits | null;
  /**
   * Authenticates `req.params.id` with `Authorization: Bearer <token>` and
   * requires one of `roles` (all roles when omitted). Sets `res.locals.board`.
   * A wrong token gets 401 and learns nothing about whether the board exists.
   */
  requireBoard(...roles: Role[]): RequestHandler;
}

export const boardOf = (res: Response): BoardAuth => res.locals.board as BoardAuth;

/** The origin board links are built on: PUBLIC_URL, else the request's own. */
export const originOf = (req: Request, publicUrl: string | null): string =>
  publicUrl ? publicUrl.replace(/\/+$/, '') : `${req.protocol}://${req.get('host') ?? 'localhost'}`;

/** The request's `Authorization: Bearer` token ('' without one). */
export function bearerOf(req: Request): string {
  const header = req.get('authorization') ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}

/** A JSON object body, or 400. */
export function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'bad-request', 'send a JSON object with content-type application/json');
  return body as Record<string, unknown>;
}

/** Thrown by handlers; the error middleware turns it into `{ error: { code, message } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
