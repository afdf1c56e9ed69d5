/**
 * The tiny router's pure parts: which page a path shows, and where a board's
 * token comes from. The token lives in the URL fragment (`/b/<id>#<token>`),
 * which browsers never send to the server or in Referer headers.
 */

import { CONTINUE_PARAM, normalizeCode } from '$shared/protocol/sharing';

export type Route =
  | { name: 'landing' }
  | { name: 'join' }
  | { name: 'board'; boardId: string }
  | { name: 'present'; boardId: string }
  | { name: 'not-found' };

/** Board ids and tokens are URL-safe random strings. */
const SAFE = /^[A-Za-z0-9_-]{8,128}$/;

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'landing' };
  if (pathname === '/join' || pathname === '/join/') return { name: 'join' };
  const m = /^\/b\/([^/]+)\/?$/.exec(pathname);
  if (m?.[1] && SAFE.test(m[1])) return { name: 'board', boardId: m[1] };
  const p = /^\/b\/([^/]+)\/present\/?$/.exec(pathname);
  if (p?.[1] && SAFE.test(p[1])) return { name: 'present', boardId: p[1] };
  return { name: 'not-found' };
}

export const tokenKey = (boardId: string): string => `plenary.token.${boardId}`;

/**
 * The token from the fragment, remembered in sessionStorage so that a reload
 * of the same tab (or a fragment lost by an in-page link) still works.
 */
export function resolveToken(
  boardId: string,
  hash: string,
  store: Pick<Storage, 'getItem' | 'setItem'> | null,
): string | null {
  // `#<token>&continue=<code>` (a link to continue as someone, HO1): the token is before the '&'.
  const fromHash = decodeURIComponent(hash.replace(/^#/, '').split('&')[0] ?? '').trim();
  if (SAFE.test(fromHash)) {
    try {
      store?.setItem(tokenKey(boardId), fromHash);
    } catch {
      // Storage unavailable: the fragment still works for this page view.
    }
    return fromHash;
  }
  try {
    const kept = store?.getItem(tokenKey(boardId)) ?? null;
    return kept && SAFE.test(kept) ? kept : null;
  } catch {
    return null;
  }
}

/** A link the server returned (absolute or relative), as a full URL on this site's origin. */
export function absoluteUrl(link: string, origin: string): string {
  const url = new URL(link, origin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unexpected link ${link}`);
  return url.href;
}

/** The code to continue as someone on this device, from `#<token>&continue=<code>` (HO1), or null. */
export function continueCodeOf(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, '').split('&').slice(1).join('&'));
  return normalizeCode(params.get(CONTINUE_PARAM));
}
