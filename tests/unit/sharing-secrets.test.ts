import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  formatCode,
  HANDOFF_CODE_LENGTH,
  HANDOFF_TTL_MS,
  JOIN_CODE_LENGTH,
  normalizeCode,
} from '../../shared/protocol/sharing';
import { randomCode, SecretBox } from '../../server/boards/cipher';
import { Devices, MAX_DEVICE_KEYS } from '../../server/identity/devices';
import { hashPersonKey } from '../../server/identity/identities';
import { SqliteStore } from '../../server/persistence/sqlite';

describe('LK2: values sealed under the server key', () => {
  const box = new SecretBox('a server key of the tests, long enough');

  it('opens what it sealed, only for the same context and key, and never for an altered value', () => {
    const sealed = box.seal('the-participant-token', 'board-1\nparticipant');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(sealed).not.toContain('the-participant-token');
    expect(box.open(sealed, 'board-1\nparticipant')).toBe('the-participant-token');
    // A sealed value moved to another board's or role's row does not open.
    expect(box.open(sealed, 'board-2\nparticipant')).toBeNull();
    expect(box.open(sealed, 'board-1\nviewer')).toBeNull();
    // Another key opens nothing.
    expect(new SecretBox('another server key, just as long').open(sealed, 'board-1\nparticipant')).toBeNull();
    // One flipped byte, a truncated value or rubbish: null, never a throw.
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 20]! ^= 1;
    expect(box.open(`v1.${raw.toString('base64url')}`, 'board-1\nparticipant')).toBeNull();
    expect(box.open(sealed.slice(0, 20), 'board-1\nparticipant')).toBeNull();
    expect(box.open('v2.whatever', 'board-1\nparticipant')).toBeNull();
    // A fresh nonce each time: the same token seals differently.
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('looks codes up by a keyed hash: stable for one key, different for another, and per kind', () => {
    const other = new SecretBox('another server key, just as long');
    expect(box.lookupHash('join', 'K7P4QX2M')).toBe(box.lookupHash('join', 'K7P4QX2M'));
    expect(box.lookupHash('join', 'K7P4QX2M')).not.toBe(other.lookupHash('join', 'K7P4QX2M'));
    expect(box.lookupHash('join', 'K7P4QX2M')).not.toBe(box.lookupHash('handoff', 'K7P4QX2M'));
    expect(box.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(box.keyId).not.toBe(other.keyId);
    expect(() => new SecretBox('short')).toThrow(/at least 16/);
  });
});

describe('JN2, HO1: codes people type', () => {
  it('draws codes of the right length from the alphabet (5 bits a character)', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    const codes = Array.from({ length: 200 }, () => randomCode(JOIN_CODE_LENGTH));
    for (const c of codes) expect(c).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`));
    expect(new Set(codes).size).toBe(200);
    expect(randomCode(HANDOFF_CODE_LENGTH)).toHaveLength(HANDOFF_CODE_LENGTH);
    // 8 characters carry 40 bits, 10 carry 50 (the issue asks at least 40 for handoffs).
    expect(JOIN_CODE_LENGTH * 5).toBe(40);
    expect(HANDOFF_CODE_LENGTH * 5).toBeGreaterThanOrEqual(40);
  });

  it('reads typed codes forgivingly (case, spaces, dashes, O/I/L) and refuses anything else', () => {
    expect(normalizeCode('k7p4-qx2m')).toBe('K7P4QX2M');
    expect(normalizeCode(' K7P4 QX2M ')).toBe('K7P4QX2M');
    expect(normalizeCode('OIL00000')).toBe('01100000');
    expect(normalizeCode('ABCDE-FGHJK')).toBe('ABCDEFGHJK');
    expect(normalizeCode('K7P4QX2')).toBeNull();
    expect(normalizeCode('K7P4QX2MU')).toBeNull();
    expect(normalizeCode('K7P4QX2U')).toBeNull();
    expect(normalizeCode('K7P4QX2!')).toBeNull();
    expect(normalizeCode(12345678)).toBeNull();
    expect(normalizeCode('A'.repeat(1000))).toBeNull();
    expect(formatCode('K7P4QX2M')).toBe('K7P4-QX2M');
    expect(formatCode('ABCDEFGHJK')).toBe('ABCDE-FGHJK');
  });
});

describe('HO1, HO2: codes to continue on another device (clock injected)', () => {
  async function setup() {
    let now = 1_800_000_000_000;
    const store = new SqliteStore(':memory:');
    const box = new SecretBox('a server key of the tests, long enough');
    const devices = new Devices({ store, box, now: () => now });
    await store.createPerson({
      boardId: 'board-one-0000000',
      userId: 'ada000000001',
      keyHash: hashPersonKey('first-key-of-ada-000'),
      name: 'Ada',
      createdAt: now,
      revokedAt: null,
    });
    return { store, devices, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('a code works once, within 10 minutes, on its own board only; the new key is a key of the same person', async () => {
    const { store, devices, advance, now } = await setup();
    const { code, expiresAt } = await devices.handoff('board-one-0000000', 'ada000000001', 'the-link-token');
    expect(expiresAt).toBe(now() + HANDOFF_TTL_MS);
    expect(await devices.resolve(code)).toEqual({
      ok: true,
      boardId: 'board-one-0000000',
      token: 'the-link-token',
    });
    expect(await devices.claim('board-two-0000000', code)).toEqual({ ok: false, reason: 'unknown' });
    advance(HANDOFF_TTL_MS - 1);
    const claimed = await devices.claim('board-one-0000000', code);
    expect(claimed).toMatchObject({ ok: true, userId: 'ada000000001', name: 'Ada' });
    if (!claimed.ok) return;
    expect(await store.hasDeviceKey('board-one-0000000', 'ada000000001', hashPersonKey(claimed.key))).toBe(
      true,
    );
    expect(await devices.claim('board-one-0000000', code)).toEqual({ ok: false, reason: 'used' });
    expect(await devices.resolve(code)).toEqual({ ok: false, reason: 'used' });

    const late = await devices.handoff('board-one-0000000', 'ada000000001', 'the-link-token');
    advance(HANDOFF_TTL_MS);
    expect(await devices.claim('board-one-0000000', late.code)).toEqual({ ok: false, reason: 'expired' });
    expect(await devices.resolve(late.code)).toEqual({ ok: false, reason: 'expired' });
    expect(await devices.resolve('0000000000')).toEqual({ ok: false, reason: 'unknown' });
    await store.close();
  });

  it(`a person holds at most ${MAX_DEVICE_KEYS} device keys; a removed person's code is refused`, async () => {
    const { store, devices } = await setup();
    for (let i = 0; i < MAX_DEVICE_KEYS; i++) {
      const { code } = await devices.handoff('board-one-0000000', 'ada000000001', 't');
      expect((await devices.claim('board-one-0000000', code)).ok).toBe(true);
    }
    const { code } = await devices.handoff('board-one-0000000', 'ada000000001', 't');
    expect(await devices.claim('board-one-0000000', code)).toEqual({ ok: false, reason: 'too-many-devices' });
    await store.revokePerson('board-one-0000000', 'ada000000001', 1);
    expect(await devices.claim('board-one-0000000', code)).toEqual({ ok: false, reason: 'removed' });
    await store.close();
  });
});
