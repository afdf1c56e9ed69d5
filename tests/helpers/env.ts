import { existsSync } from 'node:fs';

/**
 * Optional test dependencies. Without them `npm test` still runs everything
 * else and says what it skipped; with CI=true a missing one is a failure.
 */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Use as `describe.skipIf(!requireOptional('chromium', hasChromium(), hint))`.
 * In CI a missing dependency throws instead, so it can never be skipped silently.
 */
export function requireOptional(name: string, available: boolean, howToEnable: string): boolean {
  if (available) return true;
  if (IN_CI) throw new Error(`${name} is required in CI but missing: ${howToEnable}`);
  console.warn(`[skipped] tests needing ${name}: ${howToEnable}`);
  return false;
}

export const CHROMIUM_HINT = "install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH";
