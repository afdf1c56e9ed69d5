import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { serverOrigin } from '../../shared/schema';
import { toBoardSvg } from '../../server/export/svg';
import { browserAvailable, launchBrowser } from '../helpers/browser';
import { newBoardDocs, snapshotOf } from '../fixtures/boards/workshop';

describe.skipIf(!browserAvailable())('board.svg drawn by Chromium (issue 20 item 11)', () => {
  it('a Hebrew note reads right to left: its first letter on the right, its "?" and emoji on the left', async () => {
    const docs = newBoardDocs();
    const base = { authorId: 'a1', authorName: 'Ana', itemId: null };
    const text = 'מה עם הנתונים? 🙂';
    addNote(docs.board, { ...base, id: 'he', text, x: 0, y: 0 }, serverOrigin('test'));
    addNote(docs.board, { ...base, id: 'en', text: 'Data? 🙂', x: 300, y: 0 }, serverOrigin('test'));
    const svg = toBoardSvg(snapshotOf(docs));

    const browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 900, height: 500 } });
    await page.setContent(svg.replace(/^<\?xml[^>]*>\n/, ''));
    const extents = async (id: string, chars: string[]): Promise<number[]> =>
      page.evaluate(
        ({ id, chars }) => {
          const el = document.querySelector(`g[data-id="${id}"] text`) as SVGTextElement;
          const logical = [...(el.textContent ?? '')].join('');
          return chars.map((c) => {
            // getExtentOfChar counts UTF-16 code units.
            const i = logical.indexOf(c);
            return el.getExtentOfChar(i).x;
          });
        },
        { id, chars },
      );
    const [first, question, emoji] = await extents('he', ['מ', '?', '🙂']);
    expect(question).toBeLessThan(first!);
    expect(emoji).toBeLessThan(question!);
    const [d, q] = await extents('en', ['D', '?']);
    expect(q).toBeGreaterThan(d!);
    await page.screenshot({ path: '/tmp/w20b/svg-direction.png' });
  });
});
