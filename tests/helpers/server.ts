import { afterEach } from 'vitest';
import { startServer, type RunningServer, type ServerParts } from '../../server/app';
import { testConfig, type Config } from '../../server/config';

export interface CreatedBoard {
  id: string;
  title: string;
  tokens: { organizer: string; participant: string; viewer: string };
  urls: { organizer: string; participant: string; viewer: string };
}

export interface TestServer extends RunningServer {
  url: string;
  wsUrl: string;
  createBoard(title?: string): Promise<CreatedBoard>;
}

const running = new Set<RunningServer>();

afterEach(async () => {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((s) => s.close()));
});

/** A real server on an ephemeral port, closed automatically after the test. */
export async function startTestServer(
  overrides: Partial<Config> = {},
  parts: ServerParts = {},
): Promise<TestServer> {
  const server = await startServer(testConfig(overrides), parts);
  running.add(server);
  const url = `http://127.0.0.1:${server.port}`;
  return Object.assign(server, {
    url,
    wsUrl: `ws://127.0.0.1:${server.port}`,
    async createBoard(title = 'Test board'): Promise<CreatedBoard> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (server.config.adminToken) headers.authorization = `Bearer ${server.config.adminToken}`;
      const res = await fetch(`${url}/api/boards`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ title }),
      });
      if (res.status !== 201) throw new Error(`createBoard: ${res.status} ${await res.text()}`);
      return (await res.json()) as CreatedBoard;
    },
  });
}
