import * as v from 'valibot';
import { ApiError, pathOf, type RequestOf, type ResponseOf, type Route } from '$shared/api/contracts';

/**
 * The one typed client of the HTTP API (issue 21 item 3): requests are typed by
 * the routes' contracts in shared/api/, answers are checked against them, and
 * error bodies come back as `{ code, message }`. Components and state classes
 * call this instead of building `fetch` calls by hand. A network failure
 * rejects, as `fetch` does; an answer that breaks its contract rejects with
 * "The server sent an unexpected answer."
 */

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | {
      ok: false;
      status: number;
      /** The server's `{ code, message }`, or null when the body was not one. */
      error: ApiError['error'] | null;
      /** `Retry-After` of a 429, as sent. */
      retryAfter: string | null;
    };

export const UNEXPECTED = 'The server sent an unexpected answer.';

type AnyRoute = Route<v.GenericSchema, v.GenericSchema>;

export interface CallOptions<R extends AnyRoute> {
  /** The board id for routes under `/api/boards/:id`. */
  id?: string;
  /** A board token or the admin token, sent as `Authorization: Bearer` (never in a URL). */
  token?: string;
  body: RequestOf<R>;
  /** Further headers (the admin token of a copy travels beside the board's). */
  headers?: Record<string, string>;
}

/** Calls `route` with a JSON body; the typed answer, or the error the server gave. */
export async function call<R extends AnyRoute>(
  route: R,
  { id, token, body, headers: extra }: CallOptions<R>,
): Promise<ApiResult<ResponseOf<R>>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(pathOf(route, id), { method: route.method, headers, body: JSON.stringify(body) });
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = v.safeParse(ApiError, json);
    return {
      ok: false,
      status: res.status,
      error: error.success ? error.output.error : null,
      retryAfter: res.headers.get('retry-after'),
    };
  }
  const data = v.safeParse(route.response, json);
  if (!data.success) throw new Error(UNEXPECTED);
  return { ok: true, status: res.status, data: data.output as ResponseOf<R> };
}
