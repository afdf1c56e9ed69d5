import { build } from 'vite';
import { hasChromium, IN_CI } from './env';

/**
 * Browser tests drive the real built client, so build it once per run
 * (only when a browser can run them; CI always has one).
 */
export default async function setup(): Promise<void> {
  if (process.env.SKIP_CLIENT_BUILD === '1') return;
  if (!hasChromium() && !IN_CI) return;
  await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
}
