import { HANDOFF_CODE_LENGTH, HANDOFF_TTL_MS } from '../../shared/protocol/sharing';
import { randomCode, type SecretBox } from '../boards/cipher';
import type { DeviceStore, PeopleStore } from '../persistence/store';
import { hashPersonKey, newPersonKey } from './identities';

/** Device keys one person may hold besides the first (each claim adds one; removal revokes all). */
export const MAX_DEVICE_KEYS = 20;

export type ClaimResult =
  | { ok: true; userId: string; key: string; name: string }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'too-many-devices' | 'removed' };

/** Where a typed code to continue leads: the board and the link it was asked with (HO3). */
export type HandoffTarget =
  { ok: true; boardId: string; token: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

const tokenContext = (boardId: string, codeHash: string): string => `${boardId}\nhandoff\n${codeHash}`;

/**
 * Continuing as the same person on another device (HO1–HO3): a person asks
 * for a single-use code (50 bits, 10 minutes); the other device claims it
 * with any link of the board and gets a key of its own for the same user id,
 * so votes, authorship, "Mine" and upvotes follow. Only the code's keyed hash
 * and the new key's hash are stored, in the shared store: a code asked on one
 * instance is claimed on any, once.
 */
export class Devices {
  private readonly now: () => number;

  constructor(
    private readonly deps: {
      store: DeviceStore & Pick<PeopleStore, 'getPerson'>;
      box: SecretBox;
      now?: () => number;
    },
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** A new code for the person; `token` is the link they use, which the code's link carries. */
  async handoff(
    boardId: string,
    userId: string,
    token: string,
  ): Promise<{ code: string; expiresAt: number }> {
    const code = randomCode(HANDOFF_CODE_LENGTH);
    const codeHash = this.deps.box.lookupHash('handoff', code);
    const now = this.now();
    const expiresAt = now + HANDOFF_TTL_MS;
    await this.deps.store.createHandoff({
      codeHash,
      boardId,
      userId,
      sealedToken: this.deps.box.seal(token, tokenContext(boardId, codeHash)),
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    return { code, expiresAt };
  }

  /** The same person on this device, with a key of its own; the code is used up. */
  async claim(boardId: string, code: string): Promise<ClaimResult> {
    const codeHash = this.deps.box.lookupHash('handoff', code);
    const handoff = await this.deps.store.getHandoff(codeHash);
    if (!handoff || handoff.boardId !== boardId) return { ok: false, reason: 'unknown' };
    const person = await this.deps.store.getPerson(boardId, handoff.userId);
    if (!person) return { ok: false, reason: 'unknown' };
    if (person.revokedAt !== null) return { ok: false, reason: 'removed' };
    const key = newPersonKey();
    const claimed = await this.deps.store.claimHandoff(
      codeHash,
      boardId,
      hashPersonKey(key),
      this.now(),
      MAX_DEVICE_KEYS,
    );
    if (!claimed.ok) return claimed;
    return { ok: true, userId: person.userId, key, name: person.name };
  }

  /** A code typed at `/join` (HO3): the board and link to open, without using the code up. */
  async resolve(code: string): Promise<HandoffTarget> {
    const codeHash = this.deps.box.lookupHash('handoff', code);
    const handoff = await this.deps.store.getHandoff(codeHash);
    if (!handoff) return { ok: false, reason: 'unknown' };
    if (handoff.usedAt !== null) return { ok: false, reason: 'used' };
    if (handoff.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    const token = this.deps.box.open(handoff.sealedToken, tokenContext(handoff.boardId, codeHash));
    return token ? { ok: true, boardId: handoff.boardId, token } : { ok: false, reason: 'unknown' };
  }
}
