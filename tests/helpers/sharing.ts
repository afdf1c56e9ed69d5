import type { Identity } from './clients';

/**
 * HTTP calls of the sharing routes (issue 19) for tests: a board's token as
 * the bearer, optionally a person's identity headers, a JSON body.
 */
export interface CallOptions {
  method?: string;
  token?: string | null;
  person?: Identity | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export function call(baseUrl: string, path: string, o: CallOptions = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.person ? { 'x-plenary-user': o.person.userId, 'x-plenary-key': o.person.key } : {}),
      ...o.headers,
    },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
}

/** The status and JSON body of a call (null body when there is none). */
export async function callJson<T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  o: CallOptions = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await call(baseUrl, path, o);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

/** The token in a board page URL (after '#', before any '&'). */
export const tokenIn = (url: string): string => url.slice(url.indexOf('#') + 1).split('&')[0] ?? '';
