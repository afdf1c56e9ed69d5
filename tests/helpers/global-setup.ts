import { build } from 'vite';
import { hasChromium, IN_CI } from './env';

/**
 * Browser tests drive the real built client, so build it once per run
 * (only when a browser can run them; CI always has one).
 */
export default async function setup(): Promise<void> {
  if (process.env.SKIP_CLIENT_BUILD === '1') return;
  if (!hasChromium() && !IN_CI) return;
  // The production build, as served: under Vitest NODE_ENV is 'test', which would make Vite and
  // the Svelte plugin build Svelte's development runtime (14 KB more brotli, other code paths).
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'vite.config.ts', logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = env;
  }
}
