import { Router } from 'express';
import { API } from '../../shared/api/contracts';
import type { BoardLinks as BoardLinksAnswer } from '../../shared/protocol/sharing';
import { setBoardTitle } from '../../shared/ops/roster';
import { ROLES, serverOrigin, type Role } from '../../shared/schema';
import { boardUrl, type BoardLinks } from '../boards/links';
import { isTokenShape } from '../boards/tokens';
import { BOARD_DELETED, LINK_REPLACED, type SessionControl } from '../identity/cluster-sessions';
import { CLOSE } from '../../shared/protocol';
import type { BoardStore } from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';
import { titleOf } from './boards';
import { bearerOf, boardOf, bodyOf, HttpError, originOf, type RouteContext } from './context';
import { parseRequest } from './contract';

/** Unloading a deleted board's documents (`RoomManager.evict`). */
export interface BoardEviction {
  evict(boardId: string): Promise<number>;
}

/** What the link routes need besides the common context. */
export interface LinkDeps {
  boards: BoardStore;
  sessions: SessionControl;
  docs: DocAccess & BoardEviction;
  links: BoardLinks;
}

export { BOARD_DELETED, LINK_REPLACED };

const isRole = (v: unknown): v is Role => (ROLES as readonly unknown[]).includes(v);

function roleOf(param: unknown): Role {
  if (!isRole(param)) throw new HttpError(404, 'not-found', `no such link; roles: ${ROLES.join(', ')}`);
  return param;
}

const gone = (): HttpError => new HttpError(401, 'unauthorized', 'missing or wrong token for this board');

/**
 * Link lifecycle (SPEC B2, LK1–LK3; organizer link only): the current links
 * for any organizer device, teaching the server a link a device holds,
 * replacing one role's link, renaming and deleting the board. See
 * docs/protocol.md "Link lifecycle". Logs carry the board id, never a token.
 */
export function linkRoutes(ctx: RouteContext & LinkDeps): Router {
  const r = Router();
  const { boards, sessions, docs, log, links } = ctx;

  r.get('/api/boards/:id/links', ctx.requireBoard('organizer'), async (req, res) => {
    const board = await boards.getBoard(boardOf(res).id);
    if (!board) throw gone();
    // The organizer's own token is proven by this request: kept when the server did not have it.
    const tokens = await links.current(board, { role: 'organizer', token: bearerOf(req) });
    const origin = originOf(req, ctx.config.publicUrl);
    const out = {} as BoardLinksAnswer;
    for (const role of ROLES) {
      const token = tokens[role];
      out[role] = token === null ? null : { token, url: boardUrl(origin, board.id, token) };
    }
    res.set('cache-control', 'no-store').json(out);
  });

  r.put('/api/boards/:id/links/:role', ctx.requireBoard('organizer'), async (req, res) => {
    const role = roleOf(req.params.role);
    const { token } = bodyOf(req);
    if (!isTokenShape(token)) throw new HttpError(400, 'bad-request', 'expected JSON { "token": string }');
    if (!(await links.remember(boardOf(res).id, role, token)))
      throw new HttpError(409, 'not-current', `this is not the board's current ${role} link`);
    res.status(204).end();
  });

  r.post('/api/boards/:id/links/:role/rotate', ctx.requireBoard('organizer'), async (req, res) => {
    const role = roleOf(req.params.role);
    const board = boardOf(res);
    const token = await links.rotate(board.id, role);
    if (token === null) throw gone();
    res.json({ token, url: boardUrl(originOf(req, ctx.config.publicUrl), board.id, token) });
  });

  r.patch('/api/boards/:id', ctx.requireBoard('organizer'), async (req, res) => {
    const title = titleOf(parseRequest(API.renameBoard, bodyOf(req)));
    const board = boardOf(res);
    if (!(await boards.renameBoard(board.id, title))) throw gone();
    // Everyone connected sees the new title at once (the board document carries it).
    await docs.change(board.id, 'board', 'rename', (doc) =>
      setBoardTitle(doc, title, serverOrigin('rename')),
    );
    log.info({ board: board.id }, 'board renamed');
    res.json({ id: board.id, title });
  });

  r.delete('/api/boards/:id', ctx.requireBoard('organizer'), async (_req, res) => {
    const board = boardOf(res);
    // Remembered first: a join admitted a moment ago is closed when it registers.
    const closed = sessions.markBoardDeleted(board.id, CLOSE.notFound, BOARD_DELETED);
    // Unloaded (pending changes stored) before the rows go, so nothing is written after them.
    const unloaded = await docs.evict(board.id);
    await boards.deleteBoard(board.id);
    // A request admitted just before the board row went may have loaded a document since.
    if ((await docs.evict(board.id)) > 0) await boards.deleteBoard(board.id);
    log.info({ board: board.id, closed, unloaded }, 'board deleted');
    res.status(204).end();
  });

  return r;
}
