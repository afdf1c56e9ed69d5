import { createHmac } from 'node:crypto';

/** Never a prefix of a userId (those are hex), so a pseudonym and a userId cannot collide. */
export const PSEUDONYM_PREFIX = 'anon-';

/**
 * The author id of a person's anonymous notes on one board: a keyed hash of
 * `boardId:userId` under the server's secret, so only the server can link it to
 * the person, it is stable for that person on that board, and it differs
 * between boards. 16 bytes of HMAC-SHA256, base64url: `anon-` + 22 characters.
 */
export function pseudonymOf(secret: Uint8Array, boardId: string, userId: string): string {
  const mac = createHmac('sha256', secret).update(`${boardId}:${userId}`).digest();
  return PSEUDONYM_PREFIX + mac.subarray(0, 16).toString('base64url');
}
