import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The page a demo board is made from, so that a newcomer's first `npm start`
 * shows a real agenda. The real example page (shared/seed beside the clone,
 * or SEED_FILE) is preferred; otherwise the fictional workshop bundled here.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../..');
export const BUNDLED_DEMO_FILE = path.join(HERE, 'demo-workshop.md');

export interface DemoPage {
  markdown: string;
  /** Where the page came from, for the start-up log. */
  file: string;
  source: 'seed' | 'bundled';
}

export interface DemoOptions {
  env?: NodeJS.ProcessEnv;
  repoRoot?: string;
}

/** The seed file that would be used: SEED_FILE, else ../shared/seed/workshop-2023.md from the repo root. */
export function seedFile({ env = process.env, repoRoot = REPO_ROOT }: DemoOptions = {}): string {
  return env.SEED_FILE
    ? path.resolve(env.SEED_FILE)
    : path.resolve(repoRoot, '../shared/seed/workshop-2023.md');
}

export function demoPage(options: DemoOptions = {}): DemoPage {
  const seed = seedFile(options);
  if (existsSync(seed)) return { markdown: readFileSync(seed, 'utf8'), file: seed, source: 'seed' };
  return { markdown: readFileSync(BUNDLED_DEMO_FILE, 'utf8'), file: BUNDLED_DEMO_FILE, source: 'bundled' };
}

/** Markdown of the demo workshop page (see `demoPage` for where it comes from). */
export function demoMarkdown(options: DemoOptions = {}): string {
  return demoPage(options).markdown;
}
