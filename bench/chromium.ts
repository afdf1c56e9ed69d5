import { existsSync } from 'node:fs';

/** Debian's Chromium, or CHROMIUM_PATH (the bench keeps its own copy: it never imports from tests/). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);
