/**
 * The HTTP API's wire contracts (issue 21 item 3): each route's request and
 * response shape as a valibot schema, used by the server's routes to validate
 * what arrives and by the client's one API module (client/src/lib/api.ts) to
 * type what it sends and check what comes back. Error bodies are the same for
 * every route: `{ error: { code, message } }` (docs/protocol.md).
 *
 * Routes move here one at a time; a route not listed yet validates by hand.
 */
import * as v from 'valibot';
import { ROLES } from '../schema/types';

/** Every error answer. */
export const ApiError = v.object({ error: v.object({ code: v.string(), message: v.string() }) });
export type ApiError = v.InferOutput<typeof ApiError>;

const Urls = v.object(
  Object.fromEntries(ROLES.map((r) => [r, v.string()])) as Record<
    (typeof ROLES)[number],
    v.StringSchema<undefined>
  >,
);

/** A route: method, path (`:id` filled by the client), and its request and response schemas. */
export interface Route<Req extends v.GenericSchema | null, Res extends v.GenericSchema> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  request: Req;
  response: Res;
  /** The 400 message when the request does not match (kept word for word from before the contracts). */
  invalid: string;
}

const route = <Req extends v.GenericSchema | null, Res extends v.GenericSchema>(
  r: Route<Req, Res>,
): Route<Req, Res> => r;

export const API = {
  /** `POST /api/boards` (B1, DU2): a new board, maybe from a template; 201 with its links. */
  createBoard: route({
    method: 'POST',
    path: '/api/boards',
    request: v.object({
      title: v.string(),
      // Checked by the route against the templates it knows (its own 400 message).
      template: v.optional(v.unknown()),
      timeZone: v.optional(v.unknown()),
    }),
    response: v.object({ id: v.string(), title: v.string(), urls: Urls }),
    invalid: 'expected JSON { "title": string }',
  }),
  /** `POST /api/boards/:id/duplicate` (DU1): a copy with the parts in `include`; 201 like a new board. */
  duplicateBoard: route({
    method: 'POST',
    path: '/api/boards/:id/duplicate',
    request: v.object({ title: v.string(), include: v.array(v.string()) }),
    response: v.object({ id: v.string(), title: v.string(), urls: Urls }),
    invalid: 'expected JSON { "title": string, "include": string[] }',
  }),
  /** `PATCH /api/boards/:id` (B2): the organizer renames the board. */
  renameBoard: route({
    method: 'PATCH',
    path: '/api/boards/:id',
    request: v.object({ title: v.string() }),
    response: v.object({ id: v.string(), title: v.string() }),
    invalid: 'expected JSON { "title": string }',
  }),
  /** `POST /api/join` (JN2, HO3): a code typed at /join, to the board's link. */
  join: route({
    method: 'POST',
    path: '/api/join',
    request: v.object({ code: v.string() }),
    response: v.object({ boardId: v.string(), kind: v.picklist(['join', 'continue']), url: v.string() }),
    invalid: 'no board has this code',
  }),
  /** `POST /api/boards/:id/private-writing` (PW1, PW2): start, or end with Reveal. */
  privateWriting: route({
    method: 'POST',
    path: '/api/boards/:id/private-writing',
    request: v.object({ action: v.picklist(['start', 'reveal']) }),
    response: v.object({ privateWriting: v.boolean(), moved: v.number() }),
    invalid: 'send a JSON object { "action": "start" | "reveal" }',
  }),
} as const;

export type RequestOf<R> =
  R extends Route<infer Q, v.GenericSchema> ? (Q extends v.GenericSchema ? v.InferInput<Q> : never) : never;
export type ResponseOf<R> = R extends Route<v.GenericSchema | null, infer S> ? v.InferOutput<S> : never;

/** The route's path with its `:id` filled in. */
export const pathOf = (r: Route<v.GenericSchema | null, v.GenericSchema>, id = ''): string =>
  r.path.replace(':id', encodeURIComponent(id));
