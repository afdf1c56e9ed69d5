import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addItem, setCurrentItem, setMeta } from '../../shared/ops/agenda';
import { addNote, deleteNote } from '../../shared/ops/board';
import { readAgenda, readNotes, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const setup = serverOrigin('e2e');
const ORGANIZER = { role: 'organizer', userId: 'e2e', pseudonym: '', issued: true } as const;

const page = (rows: string[]): string =>
  [
    '# Winter workshop',
    '',
    'Held on January 20th 2023. **Times are Eastern Time Zone (UTC-05:00)**.',
    '',
    '| Time | Topic |',
    '|---|---|',
    ...rows,
    '| 11:00 | Adjourn |',
    '',
  ].join('\n');

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

  it(
    "NB4/NB6: a note written under another talk's filter opens its editor; Escape on an empty note removes it; a note deleted while edited is announced and typed keys create nothing",
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Writing');
      let live = '';
      await server.docs.change(board.id, 'agenda', 'e2e', (doc) => {
        addItem(doc, { start: '09:00', minutes: 30, title: 'Opening talk', kind: 'talk' }, setup);
        live = addItem(doc, { start: '09:30', minutes: 30, title: 'Data talk', kind: 'talk' }, setup);
        setCurrentItem(doc, live, setup);
      });
      const texts = () =>
        server.docs.read(board.id, 'board', (d) =>
          readNotes(d)
            .map((n) => n.text)
            .sort(),
        );
      const browser = await launchBrowser();
      const { page: p } = await newPerson(browser, 'Ada', { width: 1440, height: 900 });
      await p.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
      const canvas = p.locator('[data-canvas]');
      await canvas.waitFor();
      const filter = p.getByTestId('talk-filter');
      await expect
        .poll(() => filter.locator('option').allTextContents(), { timeout: 30_000 })
        .toContain('Opening talk');

      // Filtered to the other talk: the new note (tagged with the live one) is still shown and edited.
      await filter.selectOption({ label: 'Opening talk' });
      await canvas.focus();
      await p.keyboard.press('n');
      const editor = p.getByRole('textbox', { name: 'Note text' });
      await editor.waitFor({ timeout: 15_000 });
      await p.keyboard.type('Hello');
      await p.keyboard.press('Escape');
      await eventually(async () => expect(await texts()).toEqual(['Hello']));
      expect(await filter.inputValue()).toBe('all');

      // Escape on an empty note leaves nothing behind.
      await canvas.focus();
      await p.keyboard.press('n');
      await editor.waitFor();
      await p.keyboard.press('Escape');
      await editor.waitFor({ state: 'detached' });

      // Someone deletes the note being written.
      await canvas.focus();
      await p.keyboard.press('n');
      await editor.waitFor();
      await p.keyboard.type('draft');
      await eventually(async () => expect(await texts()).toEqual(['Hello', 'draft']));
      await server.docs.change(board.id, 'board', 'e2e', (doc) => {
        const draft = readNotes(doc).find((n) => n.text === 'draft')!;
        deleteNote(doc, draft.id, ORGANIZER, setup);
      });
      await p
        .getByText('The note you were editing was deleted by someone else.')
        .waitFor({ timeout: 15_000 });
      // Focus went somewhere sensible: the canvas, where "new note" now waits for a click or Escape.
      await eventually(async () =>
        expect(await p.evaluate(() => document.activeElement?.hasAttribute('data-canvas'))).toBe(true),
      );
      await p.keyboard.type('nnn more words');
      // Escape ends the pause; the next note is a deliberate one.
      await p.keyboard.press('Escape');
      await canvas.focus();
      await p.keyboard.press('n');
      await editor.waitFor();
      await p.keyboard.type('last');
      await p.keyboard.press('Escape');
      await eventually(async () => expect(await texts()).toEqual(['Hello', 'last']));
    },
  );

  it(
    "AG6: the import preview says what a re-import changes, keeps the organizer's date, and keeps the ids",
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Re-import');
      const first = page([
        '| 10:00 | **Marco Lorenzi** (INRIA): Federated learning |',
        '| 10:20 | Coffee Break |',
        '| 10:30 | **Olga Ivanova** (ETH): Privacy |',
      ]);
      const res = await fetch(`${server.url}/api/boards/${board.id}/agenda/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.organizer}` },
        body: JSON.stringify({ markdown: first }),
      });
      expect(res.status).toBe(200);
      const before = await server.docs.read(board.id, 'agenda', (d) => readAgenda(d).items);
      const olga = before.find((i) => i.title === 'Privacy')!.id;
      await server.docs.change(board.id, 'agenda', 'e2e', (doc) =>
        setMeta(doc, { date: '2023-01-27' }, setup),
      );
      await server.docs.change(board.id, 'board', 'e2e', (doc) => {
        for (const text of ['a', 'b'])
          addNote(doc, { text, x: 0, y: 0, authorId: 'e2e', authorName: 'E', itemId: olga }, setup);
      });

      const browser = await launchBrowser();
      const { page: p } = await newPerson(browser, 'Olga', { width: 1440, height: 900 });
      await p.goto(`${server.url}/b/${board.id}#${board.tokens.organizer}`);
      await p.getByRole('button', { name: 'Import page' }).click();
      await p
        .getByTestId('agenda-import-text')
        .fill(
          page([
            '| 09:55 | **Marco Lorenzi** (INRIA): Federated learning |',
            '| 10:20 | Coffee Break |',
            '| 10:30 | **Ana Costa** (UCL): Panel |',
          ]),
        );
      const replace = p.getByRole('button', { name: /^Replace agenda/ });
      expect(await replace.textContent()).toBe('Replace agenda');
      await p.getByRole('button', { name: 'Preview', exact: true }).click();
      const changes = p.getByTestId('agenda-import-changes');
      await changes.waitFor({ timeout: 30_000 });
      expect(await changes.textContent()).toContain(
        '1 item added, 1 changed, 1 removed: 2 notes will lose their talk tag',
      );
      const useDate = p.getByLabel(/Use the page's date \(2023-01-20\) instead of 2023-01-27/);
      expect(await useDate.isChecked()).toBe(false);
      await p.getByRole('button', { name: 'Replace agenda with 3 items' }).click();
      await eventually(async () => {
        const a = await server.docs.read(board.id, 'agenda', (d) => readAgenda(d));
        expect(a.items.map((i) => i.title)).toEqual(['Federated learning', 'Coffee Break', 'Panel']);
        expect(a.items[0]!.id).toBe(before[0]!.id);
        expect(a.items[1]!.id).toBe(before[1]!.id);
        expect(a.meta.date).toBe('2023-01-27');
      });
      // Closed before the server: a page still retrying can hold the server's close up.
      await browser.close();
    },
  );
});
