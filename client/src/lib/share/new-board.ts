import type { DuplicatePart, TemplateId } from '$shared/protocol/sharing';
import { ROLES, type Role } from '$shared/schema';
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

function readCreated(body: unknown): CreatedBoard {
  const b = body as { id?: unknown; title?: unknown; urls?: Record<string, unknown> } | null;
  if (!b || typeof b.id !== 'string' || typeof b.title !== 'string' || !b.urls)
    throw new Error('The server sent an unexpected answer.');
  const urls = {} as Record<Role, string>;
  for (const role of ROLES) {
    const u = b.urls[role];
    if (typeof u !== 'string') throw new Error('The server sent an unexpected answer.');
    urls[role] = absoluteUrl(u, location.origin);
  }
  return { id: b.id, title: b.title, urls };
}

async function send(path: string, headers: Record<string, string>, body: unknown): Promise<CreateResult> {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => null)) as {
      error?: { code?: unknown; message?: unknown };
    } | null;
    if (res.status === 401 && answer?.error?.code === 'admin-token-required')
      return {
        ok: false,
        needsAdmin: true,
        message: 'This server only lets its administrators create boards.',
      };
    if (res.status !== 201) {
      const why =
        typeof answer?.error?.message === 'string'
          ? answer.error.message
          : `the server answered ${res.status}`;
      return { ok: false, needsAdmin: false, message: `Could not create the board: ${why}.` };
    }
    const board = readCreated(answer);
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
  const headers: Record<string, string> = adminToken ? { authorization: `Bearer ${adminToken}` } : {};
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return send('/api/boards', headers, template ? { title, template, timeZone } : { title });
}

/** A copy of a board (organizer token) with the parts in `include`. */
export function duplicateBoard(
  boardId: string,
  token: string,
  title: string,
  include: DuplicatePart[],
  adminToken: string,
): Promise<CreateResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (adminToken) headers['x-plenary-admin'] = adminToken;
  return send(`/api/boards/${encodeURIComponent(boardId)}/duplicate`, headers, { title, include });
}
