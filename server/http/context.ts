import type { RequestHandler, Response } from 'express';
import type { Role } from '../../shared/schema';
import type { BoardSnapshot } from '../boards/snapshot';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { DocAccess } from '../sync/doc-access';

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
  /**
   * Authenticates `req.params.id` with `Authorization: Bearer <token>` and
   * requires one of `roles` (all roles when omitted). Sets `res.locals.board`.
   * A wrong token gets 401 and learns nothing about whether the board exists.
   */
  requireBoard(...roles: Role[]): RequestHandler;
}

export const boardOf = (res: Response): BoardAuth => res.locals.board as BoardAuth;

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
