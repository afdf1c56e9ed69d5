import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CLOSE } from '../../shared/protocol';
import { isSafeKey, newId } from '../../shared/schema';
import type { Logger } from '../log';
import type { DeviceStore, PeopleStore, PersonRecord, SecretStore } from '../persistence/store';
import { cleanName } from './names';
import { pseudonymOf } from './pseudonym';

/** 256 random bits, base64url (43 characters). Shown once to its person, never stored. */
export const newPersonKey = (): string => randomBytes(32).toString('base64url');
export const hashPersonKey = (key: string): string => createHash('sha256').update(key).digest('hex');

const KEY = /^[A-Za-z0-9_-]{16,128}$/;
const isKeyShape = (key: unknown): key is string => typeof key === 'string' && KEY.test(key);

/** Constant-time comparison of a presented key with a stored hash. */
export function keyMatches(key: unknown, keyHash: string): boolean {
  if (!isKeyShape(key)) return false;
  const stored = Buffer.from(keyHash, 'hex');
  const given = createHash('sha256').update(key).digest();
  return stored.length === given.length && timingSafeEqual(given, stored);
}

/** Who a connection is, once its join was checked. */
export interface JoinIdentity {
  userId: string;
  name: string;
  pseudonym: string;
  issued: boolean;
}

/** What a join claims: `userId`, `key` and `name` exactly as the client sent them. */
export interface JoinClaim {
  userId?: unknown;
  key?: unknown;
  name?: unknown;
}

export type JoinResult =
  | { ok: true; identity: JoinIdentity }
  | { ok: false; code: typeof CLOSE.badRequest | typeof CLOSE.unauthorized | typeof CLOSE.removed };

export type KeyCheck =
  { ok: true; person: PersonRecord } | { ok: false; reason: 'unknown' | 'wrong-key' | 'removed' };

/** The name of the server secret that keys pseudonyms (`SecretStore`). */
const PSEUDONYM_SECRET = 'pseudonym-v1';

/**
 * Issued identities of people on boards: issuing (`userId` + key, only the
 * key's hash stored), checking a join's claim, renaming, revoking, and the
 * per-board pseudonym. Transports and HTTP routes share this one copy.
 */
export class Identities {
  private secret: Promise<Uint8Array> | null = null;

  constructor(
    private readonly store: PeopleStore & SecretStore & Pick<DeviceStore, 'hasDeviceKey'>,
    private readonly log: Logger,
  ) {}

  /** The pseudonym secret: created once in the store, shared by every instance; retried after a failure. */
  private loadSecret(): Promise<Uint8Array> {
    const loading = (this.secret ??= this.store.getOrCreateSecret(PSEUDONYM_SECRET, randomBytes(32)));
    // Callers get the error (`return loading`, below); this only lets the next call try again.
    loading.catch(() => {
      if (this.secret === loading) this.secret = null;
    });
    return loading;
  }

  async pseudonym(boardId: string, userId: string): Promise<string> {
    return pseudonymOf(await this.loadSecret(), boardId, userId);
  }

  /** A new person on a board; `name` must already be clean. Returns the key (the only time it exists). */
  async issue(boardId: string, name: string): Promise<{ userId: string; key: string; name: string }> {
    const userId = newId();
    const key = newPersonKey();
    await this.store.createPerson({
      boardId,
      userId,
      keyHash: hashPersonKey(key),
      name,
      createdAt: Date.now(),
      revokedAt: null,
    });
    return { userId, key, name };
  }

  /**
   * Whether `key` proves `userId` on the board: the key it was issued with, or a key of another
   * device it continued on (HO2). A wrong key never learns whether the person was removed; removal
   * refuses every device's key.
   */
  async check(boardId: string, userId: unknown, key: unknown): Promise<KeyCheck> {
    if (typeof userId !== 'string' || !isSafeKey(userId)) return { ok: false, reason: 'unknown' };
    const person = await this.store.getPerson(boardId, userId);
    if (!person) return { ok: false, reason: 'unknown' };
    const proven =
      keyMatches(key, person.keyHash) ||
      (isKeyShape(key) && (await this.store.hasDeviceKey(boardId, userId, hashPersonKey(key))));
    if (!proven) return { ok: false, reason: 'wrong-key' };
    if (person.revokedAt !== null) return { ok: false, reason: 'removed' };
    return { ok: true, person };
  }

  /**
   * Checks a join. No `userId`: an identity of this connection's own (not
   * issued). A `userId`: its key must match (else 4401) and the person must
   * not be removed (else 4410). The name sent wins over the stored one and
   * becomes the stored one.
   */
  async join(boardId: string, claim: JoinClaim): Promise<JoinResult> {
    const sentName = cleanName(claim.name);
    const { userId } = claim;
    if (userId === undefined || userId === null || userId === '') {
      const id = newId();
      return {
        ok: true,
        identity: {
          userId: id,
          name: sentName || 'Guest',
          pseudonym: await this.pseudonym(boardId, id),
          issued: false,
        },
      };
    }
    if (typeof userId !== 'string') return { ok: false, code: CLOSE.badRequest };
    const checked = await this.check(boardId, userId, claim.key);
    if (!checked.ok)
      return { ok: false, code: checked.reason === 'removed' ? CLOSE.removed : CLOSE.unauthorized };
    const { person } = checked;
    const name = sentName || person.name || 'Guest';
    if (sentName && sentName !== person.name) {
      await this.store
        .renamePerson(boardId, userId, sentName)
        .catch((e: unknown) => this.log.warn({ err: e, board: boardId }, 'could not store a new name'));
    }
    return {
      ok: true,
      identity: { userId, name, pseudonym: await this.pseudonym(boardId, userId), issued: true },
    };
  }

  rename(boardId: string, userId: string, name: string): Promise<boolean> {
    return this.store.renamePerson(boardId, userId, name);
  }

  getPerson(boardId: string, userId: string): Promise<PersonRecord | null> {
    return isSafeKey(userId) ? this.store.getPerson(boardId, userId) : Promise.resolve(null);
  }

  revoke(boardId: string, userId: string, at = Date.now()): Promise<boolean> {
    return this.store.revokePerson(boardId, userId, at);
  }
}
