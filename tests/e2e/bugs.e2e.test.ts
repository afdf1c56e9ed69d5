import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');

/**
 * A TCP proxy in front of the server whose network can "drop": bytes stop
 * flowing both ways but no connection is closed (a pulled cable, a dead Wi-Fi),
 * unlike a server that stops. New connections are accepted and left silent.
 */
async function flakyProxy(targetPort: number): Promise<{
  url: string;
  drop(): void;
  restore(): void;
  close(): Promise<void>;
}> {
  let dropped = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('data', (d) => {
      if (!dropped) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!dropped) client.write(d);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    drop: () => {
      dropped = true;
    },
    restore: () => {
      dropped = false;
      // Connections opened while the network was down are dead: the browser retries.
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!browserAvailable())('issue 10 bugs in a real browser', () => {
  it(
    'NB2: a network drop (no close ever arrives) shows "Offline" within seconds, and "Saved" once it is back',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Flaky Wi-Fi');
      const proxy = await flakyProxy(server.port);
      try {
        const browser = await launchBrowser();
        const { page } = await newPerson(browser, 'Ada');
        await page.goto(`${proxy.url}/b/${board.id}#${board.tokens.participant}`);
        const status = page
          .getByRole('status')
          .filter({ hasText: /Live|Saved|Syncing|Connecting|Offline|Saving/ })
          .first();
        await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);
        proxy.drop();
        // Socket.io's heartbeat (pingInterval + pingTimeout = 5 s) notices; the bound is
        // generous for a loaded machine but well under the old 40 s.
        await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/Offline/);
        proxy.restore();
        await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/Live|Saved/);
      } finally {
        await proxy.close();
      }
    },
  );

  it(
    'NB3: a link replaced while the page is open: the page says so, asks for the new link and does not reconnect',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Rotated');
      const browser = await launchBrowser();
      const { page } = await newPerson(browser, 'Ben');
      const handshakes: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/socket.io/') && r.url().includes('sid=') === false) handshakes.push(r.url());
      });
      page.on('websocket', (ws) => handshakes.push(ws.url()));
      await page.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
      const status = page
        .getByRole('status')
        .filter({ hasText: /Live|Saved/ })
        .first();
      await status.waitFor({ timeout: 30_000 });

      const res = await fetch(`${server.url}/api/boards/${board.id}/links/participant/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${board.tokens.organizer}` },
      });
      expect(res.status).toBe(200);
      const alert = page.getByRole('alert').filter({ hasText: 'This link was replaced' });
      await alert.waitFor({ timeout: 30_000 });
      await expect.poll(() => alert.textContent()).toMatch(/Ask the organizer for the new link/);
      // No reconnect loop: nothing more is tried after the page said so (the provider's
      // retry after a server disconnect would come within a second).
      const tried = handshakes.length;
      await page.waitForTimeout(3_000);
      expect(handshakes.length).toBe(tried);
      expect(await alert.isVisible()).toBe(true);
    },
  );
});
