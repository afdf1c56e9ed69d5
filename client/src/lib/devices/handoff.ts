import type { Handoff } from '$shared/protocol/sharing';
import {
  asPerson,
  retryAfterMs,
  savePerson,
  saveName,
  type KeyValueStore,
  type Person,
} from '../sync/identity';

/**
 * Continuing as the same person on another device (HO1–HO3): this device
 * asks for a single-use code with the person's identity; the other device
 * claims it with the board's link and keeps the identity it gets, as if it
 * had always been this person's.
 */

export type HandoffResult = { ok: true; handoff: Handoff } | { ok: false; message: string };

async function messageOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: unknown } } | null;
  return typeof body?.error?.message === 'string' ? body.error.message : `the server answered ${res.status}`;
}

/** Asks for a code that lets another device continue as `person` (its link: `token`). */
export async function askHandoff(
  boardId: string,
  token: string,
  person: Person,
  f: typeof fetch = (...a) => globalThis.fetch(...a),
): Promise<HandoffResult> {
  try {
    const res = await f(
      `/api/boards/${encodeURIComponent(boardId)}/people/${encodeURIComponent(person.userId)}/handoff`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-plenary-user': person.userId,
          'x-plenary-key': person.key,
        },
      },
    );
    if (res.status === 429) {
      const s = Math.ceil(retryAfterMs(res.headers.get('retry-after')) / 1000);
      return { ok: false, message: `Too many codes asked for just now. Try again in ${s} s.` };
    }
    if (!res.ok) return { ok: false, message: `No code could be made: ${await messageOf(res)}.` };
    const body = (await res.json()) as Partial<Handoff>;
    if (typeof body.code !== 'string' || typeof body.url !== 'string' || typeof body.expiresAt !== 'number')
      return { ok: false, message: 'The server sent an unexpected answer.' };
    return { ok: true, handoff: { code: body.code, url: body.url, expiresAt: body.expiresAt } };
  } catch {
    return { ok: false, message: 'Could not reach the server. Check your connection and try again.' };
  }
}

export type ClaimResult = { ok: true; person: Person } | { ok: false; message: string };

/**
 * Claims a code on this device and keeps the identity it gives for the board
 * (and its name as this browser's name), replacing any this browser held.
 */
export async function claimHandoff(
  boardId: string,
  token: string,
  code: string,
  store?: KeyValueStore | null,
  f: typeof fetch = (...a) => globalThis.fetch(...a),
): Promise<ClaimResult> {
  try {
    const res = await f(`/api/boards/${encodeURIComponent(boardId)}/people/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (res.status === 429) {
      const s = Math.ceil(retryAfterMs(res.headers.get('retry-after')) / 1000);
      return { ok: false, message: `Too many wrong codes from this network. Try again in ${s} s.` };
    }
    if (!res.ok) return { ok: false, message: await messageOf(res) };
    const person = asPerson(await res.json());
    if (!person) return { ok: false, message: 'the server sent an unexpected answer' };
    savePerson(boardId, person, store);
    if (person.name) saveName(person.name, store);
    return { ok: true, person };
  } catch {
    return { ok: false, message: 'could not reach the server' };
  }
}
