import * as v from 'valibot';
import type { Route } from '../../shared/api/contracts';
import { HttpError } from './context';

/**
 * A request body checked against its route's contract (shared/api/contracts.ts):
 * the parsed value, or a 400 `bad-request` with the route's message.
 */
export function parseRequest<Q extends v.GenericSchema>(
  route: Route<Q, v.GenericSchema>,
  body: unknown,
): v.InferOutput<Q> {
  const parsed = v.safeParse(route.request, body);
  if (!parsed.success) throw new HttpError(400, 'bad-request', route.invalid);
  return parsed.output;
}
