import net from 'node:net';
import { requireOptional } from './env';

/** PostgreSQL and Redis are optional for `npm test`; the scale-out tests need them (CI has both). */
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const reachable = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

export async function postgresAvailable(): Promise<boolean> {
  return requireOptional(
    'PostgreSQL',
    await reachable(PG_URL),
    `start PostgreSQL on 127.0.0.1:5432 (trust auth, database test) or set TEST_DATABASE_URL`,
  );
}

export async function redisAvailable(): Promise<boolean> {
  return requireOptional(
    'Redis',
    await reachable(REDIS_URL),
    'start Redis on 127.0.0.1:6379 or set TEST_REDIS_URL',
  );
}

/** A schema name of our own per test file, dropped afterwards. */
export const uniqueSchema = (): string =>
  `plenary_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
