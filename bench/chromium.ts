import { existsSync } from 'node:fs';

/** Debian's Chromium, or CHROMIUM_PATH (the bench keeps its own copy: it never imports from tests/). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);

/**
 * The flags Chromium needs on this machine (root, no GPU, no background traffic).
 * The bench owns them and the browser tests import them (tests/helpers/browser.ts):
 * bench/ never imports from tests/, so the two cannot drift apart.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
