import { Router, type RequestHandler } from 'express';
import {
  CONTINUE_PARAM,
  HANDOFF_CODE_LENGTH,
  normalizeCode,
  type JoinInfo,
  type JoinTarget,
} from '../../shared/protocol/sharing';
import { boardUrl, type BoardLinks } from '../boards/links';
import type { Devices } from '../identity/devices';
import type { BoardStore } from '../persistence/store';
import { boardOf, bodyOf, HttpError, originOf, type RouteContext } from './context';
import { limitRequests } from './rate-limit';

/** What the join routes need besides the common context. */
export interface JoinDeps {
  boards: BoardStore;
  links: BoardLinks;
  devices: Devices;
  /** Failed code attempts per client address (JN2, HO3): one count for joining and continuing. */
  codeAttempts: RequestHandler;
}

/**
 * Failed attempts with codes people type or scan, per client address
 * (`CODE_ATTEMPTS_PER_ADDRESS` per `CODE_WINDOW_MS`): only failures count, so
 * a room of people behind one address all joining with the right code is
 * never slowed down, while guessing is (429 with `Retry-After`).
 */
export function codeAttemptLimit(ctx: Pick<RouteContext, 'config' | 'log' | 'limits'>): RequestHandler {
  return limitRequests({
    limit: ctx.config.codeAttemptsPerAddress,
    windowMs: ctx.config.codeWindowMs,
    code: 'too-many-attempts',
    message: (s) => `too many wrong codes from this address; try again in ${s} s`,
    skipSuccessfulRequests: true,
    log: ctx.log,
    shared: ctx.limits,
  });
}

/** Why a code to continue no longer works (410), as the person reads it. */
export const HANDOFF_GONE = {
  used: 'this code was already used: ask for a new one on your other device',
  expired: 'this code expired (it lasts 10 minutes): ask for a new one on your other device',
} as const;

const notShown: JoinInfo = { shown: false, code: null, url: null };

/**
 * Joining from the projector (JN1, JN2, HO3): whether the board shows how to
 * join (the organizer's switch), the join code and the participant link it
 * stands for, and `POST /api/join` for a code typed at `/join`.
 */
export function joinRoutes(ctx: RouteContext & JoinDeps): Router {
  const r = Router();
  const { links, devices, boards } = ctx;

  async function info(req: Parameters<RequestHandler>[0], boardId: string): Promise<JoinInfo> {
    const code = await links.joinCode(boardId);
    const board = code === null ? null : await boards.getBoard(boardId);
    const token = board ? (await links.current(board)).participant : null;
    if (code === null || token === null) return notShown;
    return { shown: true, code, url: boardUrl(originOf(req, ctx.config.publicUrl), boardId, token) };
  }

  // Any role: the projector may be opened with the viewer link; it shows what the organizer switched on.
  r.get('/api/boards/:id/join', ctx.requireBoard(), async (req, res) => {
    res.set('cache-control', 'no-store').json(await info(req, boardOf(res).id));
  });

  r.put('/api/boards/:id/join', ctx.requireBoard('organizer'), async (req, res) => {
    const { shown } = bodyOf(req);
    if (typeof shown !== 'boolean')
      throw new HttpError(400, 'bad-request', 'expected JSON { "shown": boolean }');
    const board = await boards.getBoard(boardOf(res).id);
    if (!board) throw new HttpError(401, 'unauthorized', 'missing or wrong token for this board');
    if (!(await links.showJoin(board, shown)))
      throw new HttpError(
        409,
        'participant-link-unknown',
        'the server does not know the current participant link of this board: replace it once first',
      );
    res.json(await info(req, board.id));
  });

  r.post('/api/join', ctx.codeAttempts, async (req, res) => {
    const code = normalizeCode(bodyOf(req).code);
    if (code === null) throw new HttpError(404, 'unknown-code', 'no board has this code');
    const origin = originOf(req, ctx.config.publicUrl);
    let target: JoinTarget;
    if (code.length === HANDOFF_CODE_LENGTH) {
      const found = await devices.resolve(code);
      if (!found.ok) {
        if (found.reason === 'unknown') throw new HttpError(404, 'unknown-code', 'no board has this code');
        throw new HttpError(410, found.reason, HANDOFF_GONE[found.reason]);
      }
      const url = `${boardUrl(origin, found.boardId, found.token)}&${CONTINUE_PARAM}=${code}`;
      target = { boardId: found.boardId, kind: 'continue', url };
    } else {
      const found = await links.resolveJoinCode(code);
      if (!found) throw new HttpError(404, 'unknown-code', 'no board has this code');
      target = { boardId: found.boardId, kind: 'join', url: boardUrl(origin, found.boardId, found.token) };
    }
    res.set('cache-control', 'no-store').json(target);
  });

  return r;
}
