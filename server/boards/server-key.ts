import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import type { LinkStore, SecretStore } from '../persistence/store';
import { SecretBox } from './cipher';

/** The file the server key is generated into when `PLENARY_SECRET` is unset. */
export const SECRET_FILE = 'plenary-secret';
/** Under this name the store keeps the id of the key its sealed values were made with. */
export const KEY_ID_NAME = 'sealing-key-id';

/**
 * The server key (LK2): `PLENARY_SECRET`, else the file in the data
 * directory, generated (256 random bits, readable by this user only) on the
 * first start. It is kept out of the database on purpose: a copy of the
 * database alone must not open any board.
 */
export function loadServerSecret(config: { secret: string | null; dataDir: string }, log: Logger): string {
  if (config.secret) return config.secret;
  const file = path.join(config.dataDir, SECRET_FILE);
  const read = (): string | null => {
    try {
      const s = readFileSync(file, 'utf8').trim();
      return s === '' ? null : s;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  };
  const existing = read();
  if (existing) return existing;
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx': a second process starting at the same moment keeps the first one's key.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return read() ?? secret;
  }
  log.warn({ file }, 'generated the server key: back it up with the database (docs/security.md)');
  return secret;
}

/**
 * Checks that the store's sealed values were made with this key (the first
 * start records its id). Another key would open none of them: instances of a
 * scale-out with different keys, or a key file lost. The server then refuses
 * to start, unless told the key is lost (`forget`): the sealed values go and
 * each board's links have to be replaced once to be shown again.
 */
export async function checkServerKey(
  box: SecretBox,
  store: SecretStore & LinkStore,
  forget: boolean,
  log: Logger,
): Promise<void> {
  const stored = Buffer.from(await store.getOrCreateSecret(KEY_ID_NAME, Buffer.from(box.keyId))).toString();
  if (stored === box.keyId) return;
  if (forget) {
    await store.forgetSealed(KEY_ID_NAME, box.keyId);
    log.warn('PLENARY_FORGET_LINKS: the links sealed under the previous key were dropped');
    return;
  }
  throw new Error(
    `the server key (PLENARY_SECRET or ${SECRET_FILE} in the data directory) is not the one this ` +
      `database's links were sealed with. Restore that key (every instance needs the same one), or, ` +
      `if it is lost for good, start once with PLENARY_FORGET_LINKS=1: boards keep working and each ` +
      `board's organizer replaces its links once to share them again (docs/security.md).`,
  );
}
