import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { CODE_ALPHABET } from '../../shared/protocol/sharing';

/**
 * Sealing what the server must show again later (link tokens, join codes)
 * under the server key (`PLENARY_SECRET`, LK2), so that a copy of the
 * database alone opens no board: AES-256-GCM with a random 96-bit nonce,
 * authenticated together with what the value belongs to (`context`: board,
 * role), so that a sealed value moved to another row does not open. Codes
 * people type are looked up by a keyed hash (HMAC-SHA256), never stored in
 * the clear: their few bits would fall to a brute force of a plain hash.
 */
export class SecretBox {
  readonly #encKey: Buffer;
  readonly #macKey: Buffer;
  /** Names the key without revealing it: instances compare it at start (one key per database). */
  readonly keyId: string;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('the server secret must have at least 16 characters');
    const derive = (info: string): Buffer =>
      Buffer.from(hkdfSync('sha256', secret, 'plenary', info, 32) as ArrayBuffer);
    this.#encKey = derive('plenary sealed values v1');
    this.#macKey = derive('plenary code lookup v1');
    this.keyId = createHmac('sha256', this.#macKey).update('key id').digest('hex').slice(0, 16);
  }

  /** `v1.` + base64url(nonce ‖ ciphertext ‖ tag). */
  seal(value: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#encKey, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The sealed value, or null when it was sealed under another key or for another context, or altered. */
  open(sealed: string, context: string): string | null {
    if (!sealed.startsWith('v1.')) return null;
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    if (raw.length < 12 + 16) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#encKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return null;
    }
  }

  /** The keyed hash a code is stored and looked up by (hex). */
  lookupHash(kind: string, code: string): string {
    return createHmac('sha256', this.#macKey).update(`${kind}\n${code}`).digest('hex');
  }
}

/** A code people type or scan (`CODE_ALPHABET`, 5 bits a character), from the platform CSPRNG. */
export function randomCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}
