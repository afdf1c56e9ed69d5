import type { DuplicatePart, TemplateId } from '$shared/protocol/sharing';
import { ROLES, type Role } from '$shared/schema';
import { API, type ResponseOf } from '$shared/api/contracts';
import { call, type ApiResult } from '../api';
import { absoluteUrl } from '../routes/location';
import { keepBoard } from './boards-book';

/**
 * Making a board from the browser: a new one (`POST /api/boards`, maybe
 * from a template, DU2) or a copy (`POST /api/boards/:id/duplicate`, DU1).
 * Both answer the new board's links, which this browser keeps in "Your boards".
 */

export interface CreatedBoard {
  id: string;
  title: string;
  urls: Record<Role, string>;
}

export type CreateResult =
  | { ok: true; board: CreatedBoard }
  /** The server only lets its administrators create boards (ADMIN_TOKEN). */
  | { ok: false; needsAdmin: true; message: string }
  | { ok: false; needsAdmin: false; message: string };

/** The links as absolute URLs: the server may answer them relative to its origin. */
function readCreated(b: ResponseOf<typeof API.createBoard>): CreatedBoard {
  const urls = {} as Record<Role, string>;
  for (const role of ROLES) urls[role] = absoluteUrl(b.urls[role], location.origin);
  return { id: b.id, title: b.title, urls };
}

async function send(
  request: () => Promise<ApiResult<ResponseOf<typeof API.createBoard>>>,
): Promise<CreateResult> {
  try {
    const res = await request();
    if (!res.ok && res.status === 401 && res.error?.code === 'admin-token-required')
      return {
        ok: false,
        needsAdmin: true,
        message: 'This server only lets its administrators create boards.',
      };
    if (!res.ok || res.status !== 201) {
      const why = (!res.ok && res.error?.message) || `the server answered ${res.status}`;
      return { ok: false, needsAdmin: false, message: `Could not create the board: ${why}.` };
    }
    const board = readCreated(res.data);
    const tokenOf = (url: string): string => url.slice(url.indexOf('#') + 1);
    keepBoard({
      id: board.id,
      title: board.title,
      tokens: {
        organizer: tokenOf(board.urls.organizer),
        participant: tokenOf(board.urls.participant),
        viewer: tokenOf(board.urls.viewer),
      },
    });
    return { ok: true, board };
  } catch (e) {
    const message =
      e instanceof Error && e.message.startsWith('The server')
        ? e.message
        : 'Could not reach the server. Check your connection and try again.';
    return { ok: false, needsAdmin: false, message };
  }
}

/** A new board, maybe from a template (its agenda in this browser's time zone). */
export function createBoard(
  title: string,
  template: TemplateId | null,
  adminToken: string,
): Promise<CreateResult> {
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const body = template ? { title, template, timeZone } : { title };
  return send(() => call(API.createBoard, { token: adminToken, body }));
}

/** A copy of a board (organizer token) with the parts in `include`. */
export function duplicateBoard(
  boardId: string,
  token: string,
  title: string,
  include: DuplicatePart[],
  adminToken: string,
): Promise<CreateResult> {
  const headers: Record<string, string> = adminToken ? { 'x-plenary-admin': adminToken } : {};
  return send(() => call(API.duplicateBoard, { id: boardId, token, headers, body: { title, include } }));
}
