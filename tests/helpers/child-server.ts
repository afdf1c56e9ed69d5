import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { TEST_SECRET } from '../../server/config';

export interface ChildServer {
  proc: ChildProcess;
  port: number;
  url: string;
  wsUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children.clear();
});

export interface ChildServerOptions {
  /**
   * A compiled entry (`dist/server/main.js`, see scripts/build-server.mjs) run
   * by plain `node --enable-source-maps`, as `npm start` and the Docker image
   * do; by default the TypeScript source through tsx.
   */
  compiled?: string;
}

/**
 * The real server (`server/main.ts`) as a child process, so that tests can
 * kill -9 it. Node runs the TypeScript through tsx's loader directly (not the
 * tsx CLI, which would put a wrapper process between us and the server).
 */
export async function startChildServer(
  env: Record<string, string>,
  { compiled }: ChildServerOptions = {},
): Promise<ChildServer> {
  const args = compiled ? ['--enable-source-maps', compiled] : ['--import', 'tsx', 'server/main.ts'];
  const proc = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO_BOARD: '0',
      CLIENT_DIR: '',
      LOG_LEVEL: 'warn',
      // The key of every test server: instances of one test share a database (and so one key).
      PLENARY_SECRET: TEST_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const check = (): void => {
      const m = /running at http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    output: () => out,
    exited,
  };
}
