import { CLOSE } from '$shared/protocol';
import type { ProviderFailure, ProviderStatus, Refusal } from './socketio-provider';
import type { ConnectionState } from './types';

/** What the page says about the connection: its state, a final refusal, a refused change. */

/** The header's honest state, from the provider's facts. */
export function connectionStateOf(
  status: ProviderStatus,
  everConnected: boolean,
  allSyncedNow: boolean,
  unsynced: number,
): ConnectionState {
  if (status === 'connected') return allSyncedNow && unsynced === 0 ? 'saved' : 'syncing';
  return everConnected ? 'offline' : status === 'failed' ? 'offline' : 'connecting';
}

/** What the server says when it closes connections of a link the organizer replaced (B2). */
export const LINK_REPLACED_REASON = 'this link was replaced';

/**
 * What the page says when the server refused this link or person for good
 * (no retry follows any of these). A link the organizer replaced while the
 * page was open (4401 "this link was replaced") asks for the new link.
 */
export function describeFailure(f: ProviderFailure | null): { title: string; body: string } | null {
  if (!f) return null;
  if (f.code === CLOSE.unauthorized && f.reason === LINK_REPLACED_REASON)
    return {
      title: 'This link was replaced',
      body: 'The organizer replaced the link you used, so it no longer opens this board. Ask the organizer for the new link and open it; your notes and tasks are saved.',
    };
  if (f.code === CLOSE.unauthorized)
    return {
      title: 'This link is not valid',
      body: 'The access key in the link was not accepted. Ask the organizer for a fresh link and make sure it was copied whole, including the part after “#”.',
    };
  if (f.code === CLOSE.removed)
    return {
      title: 'You were removed from this board',
      body: 'The organizer removed you from this board. If you think this is a mistake, ask the organizer.',
    };
  if (f.code === CLOSE.notFound)
    return {
      title: 'This board does not exist',
      body: 'It may have been deleted, or the link is incomplete.',
    };
  return { title: 'Could not open this board', body: f.reason };
}

/** What the person is told after a refused change reset a document. */
export const refusalMessage = (r: Pick<Refusal, 'reason'>): string =>
  `Your last change was refused: ${r.reason}. The board shows what was saved.`;

/**
 * The board is gone for this person, so nothing of it stays in this browser:
 * deleted while this page was open (4404), the person removed (4410), or a
 * link the server does not accept at all (4401: the board was deleted while
 * the tab was closed, or never existed; the server never says which, and the
 * page says the same for both). A link replaced while the page was open keeps
 * the copy: opened with the new link, it brings its unsent changes along.
 */
export function gone(f: { code: number; reason: string }): boolean {
  if (f.code === CLOSE.notFound || f.code === CLOSE.removed) return true;
  return f.code === CLOSE.unauthorized && f.reason !== LINK_REPLACED_REASON;
}
