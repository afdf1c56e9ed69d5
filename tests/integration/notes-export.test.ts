import { DOMParser as XmlParser } from '@xmldom/xmldom';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { addNote, castVote } from '../../shared/ops/board';
import { createGroup } from '../../shared/ops/groups';
import { setAnonymousNotes } from '../../shared/ops/live';
import { boardNotes, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

const origin = serverOrigin('test');
const TALK_A = 'Privacy, "consent" & <data>';
const TALK_B = 'Scanners';
const FORMULA = '=HYPERLINK("http://evil.example","click")';
const TRICKY = 'Commas, "quotes"\nand a second line <b>&amp;</b> \' 東京';
const LONG = `${'supercalifragilistic'.repeat(8)} and then many more words to wrap over the note until it runs out of room entirely and gets an ellipsis at the end`;

interface Fixture {
  server: TestServer;
  board: CreatedBoard;
  talkA: string;
  talkB: string;
  groupId: string;
}

/** Notes over two talks and none, one in a group, with votes, tricky texts and a control character. */
async function fixture(): Promise<Fixture> {
  const server = await startTestServer();
  const board = await server.createBoard('Notes export');
  let talkA = '';
  let talkB = '';
  await server.docs.change(board.id, 'agenda', 'test', (doc) => {
    talkA = addItem(doc, { start: '09:00', minutes: 30, title: TALK_A, kind: 'talk' }, origin);
    talkB = addItem(doc, { start: '09:30', minutes: 30, title: TALK_B, kind: 'talk' }, origin);
    setCurrentItem(doc, talkA, origin);
  });
  let groupId = '';
  const live = { votingOpen: true, votesPerPerson: 5 };
  await server.docs.change(board.id, 'board', 'test', (doc) => {
    const at = Date.UTC(2026, 10, 29, 9, 5);
    const mk = (id: string, text: string, itemId: string | null, x: number, extra = {}) =>
      addNote(
        doc,
        {
          id,
          text,
          x,
          y: 0,
          authorId: `user-${id}`,
          authorName: `Author ${id}`,
          itemId,
          createdAt: at,
          ...extra,
        },
        origin,
      );
    mk('n1', FORMULA, talkA, 0);
    mk('n2', TRICKY, talkA, 240, { color: 'sky' });
    mk('n3', LONG, talkB, 480, { color: 'green' });
    mk('n4', 'Loose note', null, 720);
    // A pseudonymous note: the pseudonym as author id and no name.
    addNote(
      doc,
      {
        id: 'n5',
        text: 'Said quietly',
        x: 960,
        y: 0,
        authorId: 'p-anon',
        authorName: '',
        itemId: talkB,
        createdAt: at,
      },
      origin,
    );
    castVote(doc, 'n2', 'voter-1', live, origin);
    castVote(doc, 'n2', 'voter-2', live, origin);
    castVote(doc, 'n2', 'voter-2', live, origin);
    groupId = createGroup(doc, { title: 'Consent & <ethics>', x: 0, y: 0 }, ['n1', 'n2'], origin);
    // A control character that XML 1.0 cannot carry, written as a foreign client could.
    const t = boardNotes(doc).get('n4')!.get('text') as Y.Text;
    t.insert(0, '\u0001');
  });
  return { server, board, talkA, talkB, groupId };
}

const get = (f: Fixture, path: string, token = f.board.tokens.viewer) =>
  fetch(`${f.server.url}/api/boards/${f.board.id}/${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });

async function csvRows(f: Fixture): Promise<Record<string, string>[]> {
  const res = await get(f, 'notes.csv');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="notes-export-notes\.csv"$/);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  expect(body.split('\r\n')[0]).toBe('\ufefftext,author,talk,group,votes,color,createdAt');
  return parse(body, { bom: true, columns: true }) as Record<string, string>[];
}

/** Parses strictly: any well-formedness error throws. */
function parseSvg(svg: string): Document {
  return new XmlParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  }).parseFromString(svg, 'image/svg+xml') as unknown as Document;
}

describe('notes.csv', () => {
  it('XP1: one RFC 4180 row per note: text, author, talk, group, total votes, colour and ISO time, formulas neutralised', async () => {
    const f = await fixture();
    const rows = await csvRows(f);
    expect(rows).toHaveLength(5);
    const byText = new Map(rows.map((r) => [r.text, r]));
    expect(byText.get(`'${FORMULA}`)).toMatchObject({
      talk: TALK_A,
      group: 'Consent & <ethics>',
      votes: '0',
    });
    const tricky = byText.get(TRICKY)!;
    expect(tricky).toEqual({
      text: TRICKY,
      author: 'Author n2',
      talk: TALK_A,
      group: 'Consent & <ethics>',
      votes: '3',
      color: 'sky',
      createdAt: '2026-11-29T09:05:00.000Z',
    });
    expect(byText.get(LONG)).toMatchObject({ talk: TALK_B, group: '', color: 'green' });
    expect(rows.find((r) => r.text?.endsWith('Loose note'))).toMatchObject({ talk: '', group: '' });
  });

  it('XP1: a pseudonymous note shows no author, and no note does while the organizer asks for anonymous notes', async () => {
    const f = await fixture();
    const rows = await csvRows(f);
    expect(rows.find((r) => r.text === 'Said quietly')!.author).toBe('');
    expect(rows.filter((r) => r.author !== '')).toHaveLength(4);
    await f.server.docs.change(f.board.id, 'agenda', 'test', (doc) => setAnonymousNotes(doc, true, origin));
    const again = await csvRows(f);
    expect(again.map((r) => r.author)).toEqual(['', '', '', '', '']);
    const raw = await (await get(f, 'notes.csv')).text();
    expect(raw).not.toContain('Author n');
  });

  it('needs a token of the board', async () => {
    const f = await fixture();
    const other = await f.server.createBoard('Other');
    for (const token of ['', 'nope', other.tokens.organizer]) {
      const res = await get(f, 'notes.csv', token);
      expect([401, 403]).toContain(res.status);
      expect(await res.text()).not.toContain('Said quietly');
    }
  });
});

describe('board.svg', () => {
  it('XP2: is well-formed SVG with every note, its colour, wrapped and escaped text, group frames and talk labels', async () => {
    const f = await fixture();
    for (const role of ['organizer', 'participant', 'viewer'] as const) {
      const res = await get(f, 'board.svg', f.board.tokens[role]);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    }
    const svg = await (await get(f, 'board.svg')).text();
    expect(svg).not.toContain('\u0001');
    const doc = parseSvg(svg);
    const root = doc.documentElement;
    expect(root.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.getAttribute('width'))).toBeGreaterThan(0);
    expect(Number(root.getAttribute('height'))).toBeGreaterThan(0);

    const groups = Array.from(root.getElementsByTagName('g'));
    const notes = groups.filter((g) => g.getAttribute('class') === 'note');
    expect(notes.map((g) => g.getAttribute('data-id')).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    const note = (id: string) => notes.find((g) => g.getAttribute('data-id') === id)!;
    expect(note('n2').getElementsByTagName('rect')[0]!.getAttribute('fill')).toBe('#bfe3f7');
    const lines = (id: string) =>
      Array.from(note(id).getElementsByTagName('tspan')).map((t) => t.textContent);
    // Line breaks are kept, markup comes back as the characters that were typed.
    expect(lines('n2')).toEqual(['Commas, "quotes"', 'and a second line', "<b>&amp;</b> ' 東京"]);
    // A long word is cut to the note's width; overflow ends in an ellipsis.
    const long = lines('n3');
    expect(long.length).toBeGreaterThan(2);
    expect(long.every((l) => [...(l ?? '')].length <= 21)).toBe(true);
    expect(long.at(-1)).toMatch(/…$/);
    expect(lines('n4')).toEqual(['Loose note']);

    const frames = groups.filter((g) => g.getAttribute('class') === 'group');
    expect(frames).toHaveLength(1);
    expect(frames[0]!.getAttribute('data-id')).toBe(f.groupId);
    expect(frames[0]!.textContent).toContain('Consent & <ethics>');
    const talkLabels = Array.from(root.getElementsByTagName('text'))
      .filter((t) => t.getAttribute('class') === 'talk')
      .map((t) => t.textContent);
    expect(talkLabels.filter((t) => t === TALK_A)).toHaveLength(2);
    expect(talkLabels.filter((t) => t === TALK_B)).toHaveLength(2);
  });

  it('XP2: ?itemId= draws one talk only; an unknown item is 404 and a malformed one 400', async () => {
    const f = await fixture();
    const svg = await (await get(f, `board.svg?itemId=${f.talkB}`)).text();
    const root = parseSvg(svg).documentElement;
    const ids = Array.from(root.getElementsByTagName('g'))
      .filter((g) => g.getAttribute('class') === 'note')
      .map((g) => g.getAttribute('data-id'))
      .sort();
    expect(ids).toEqual(['n3', 'n5']);
    expect(root.getElementsByTagName('title')[0]!.textContent).toBe(TALK_B);
    expect(Array.from(root.getElementsByTagName('g')).some((g) => g.getAttribute('class') === 'group')).toBe(
      false,
    );
    expect((await get(f, 'board.svg?itemId=nosuchitem')).status).toBe(404);
    expect((await get(f, 'board.svg?itemId=__proto__')).status).toBe(400);
  });

  it('an empty board is a valid picture too', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Empty');
    const res = await fetch(`${server.url}/api/boards/${board.id}/board.svg`, {
      headers: { authorization: `Bearer ${board.tokens.participant}` },
    });
    const root = parseSvg(await res.text()).documentElement;
    expect(root.textContent).toContain('No notes.');
  });
});

describe.skipIf(!browserAvailable())('board.svg in Chromium', () => {
  it('XP2: renders as an image with a non-zero size and parses without a parser error', async () => {
    const f = await fixture();
    const svg = await (await get(f, 'board.svg')).text();
    const browser = await launchBrowser();
    const { page } = await newPerson(browser, null);
    await page.setContent('<!doctype html><html><body></body></html>');
    const result = await page.evaluate(async (text) => {
      const parsed = new window.DOMParser().parseFromString(text, 'image/svg+xml');
      const parserError = parsed.getElementsByTagName('parsererror').length;
      const img = new Image();
      const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
      const loaded = await new Promise<boolean>((resolve) => {
        img.onload = () => resolve(true);
        img.onerror = () => resolve(false);
        img.src = url;
      });
      // Draw it: a rendered picture has coloured pixels where the notes are.
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4)
        if (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2]) coloured++;
      return { parserError, loaded, width: img.naturalWidth, height: img.naturalHeight, coloured };
    }, svg);
    expect(result.parserError).toBe(0);
    expect(result.loaded).toBe(true);
    expect(result.width).toBeGreaterThan(0);
    expect(result.height).toBeGreaterThan(0);
    expect(result.coloured).toBeGreaterThan(1000);
  });
});
