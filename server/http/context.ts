import type { RequestHandler, Response } from 'express';
import type * as Y from 'yjs';
import type { Agenda, DocKind, Note, Role, RosterEntry, Task } from '../../shared/schema';
import type { Config } from '../config';
import type { Logger } from '../log';

/** Who the request's token says it is, for one board. */
export interface BoardAuth {
  id: string;
  title: string;
  role: Role;
}

/**
 * Server-side access to a board's live documents. Changes go through the same
 * path as a client's update: stored before anyone receives them, then broadcast.
 */
export interface DocAccess {
  read<T>(boardId: string, kind: DocKind, fn: (doc: Y.Doc) => T): Promise<T>;
  change(boardId: string, kind: DocKind, reason: string, fn: (doc: Y.Doc) => void): Promise<void>;
}

/** Plain, validated content of a board, for exports. */
export interface BoardSnapshot {
  board: { id: string; title: string };
  agenda: Agenda;
  notes: Note[];
  tasks: Task[];
  roster: RosterEntry[];
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
