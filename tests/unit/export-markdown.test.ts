import type { Heading, List, Root, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { addItem } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import { setAnonymousNotes } from '../../shared/ops/live';
import { serverOrigin } from '../../shared/schema';
import { toMinutesMarkdown } from '../../server/export/markdown';
import { buildWorkshop, newBoardDocs, snapshotOf, WORKSHOP } from '../fixtures/boards/workshop';

/** Parse the minutes back the way GitHub renders them. */
const parse = (md: string): Root =>
  fromMarkdown(md, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });

const headings = (root: Root, depth: number): string[] =>
  root.children
    .filter((n): n is Heading => n.type === 'heading' && n.depth === depth)
    .map((h) => toString(h));

/** Text content with hard breaks as line feeds (mdast-util-to-string drops them). */
function plain(n: unknown): string {
  const node = n as { type: string; value?: string; children?: unknown[] };
  if (node.type === 'break') return '\n';
  if (typeof node.value === 'string') return node.value;
  return (node.children ?? []).map(plain).join('');
}

/** The list that directly follows the heading with this text. */
function listAfter(root: Root, heading: string): string[] {
  const i = root.children.findIndex((n) => n.type === 'heading' && toString(n) === heading);
  const list = root.children[i + 1] as List | undefined;
  expect(list?.type).toBe('list');
  return list!.children.map(plain);
}

describe('minutes (export.md)', () => {
  const { docs, ids } = buildWorkshop();
  const snapshot = snapshotOf(docs);
  const md = toMinutesMarkdown(snapshot);
  const tree = parse(md);

  it('opens with the event title and its date', () => {
    expect(headings(tree, 1)).toEqual([WORKSHOP.title]);
    expect(md).toContain('Friday 20 January 2023');
    expect(md).toContain('America/New_York');
  });

  it('lists the agenda with the times it actually ran, slippage included', () => {
    const table = tree.children.find((n): n is Table => n.type === 'table')!;
    const rows = table.children.map((r) => r.children.map((c) => toString(c)));
    expect(rows[0]).toEqual(['Time', 'Item', 'Speaker']);
    expect(rows.slice(1)).toEqual([
      ['10:00–10:15', 'Opening', ''],
      ['10:15–10:45', 'Secure aggregation in practice', 'Ana Souza (Lisbon Imaging Lab)'],
      ['11:10–11:40 (planned 11:00)', 'Harmonising scanners', 'Kenji Watanabe'],
      ['11:40–12:40 (planned 11:30)', 'Discussion, next steps', ''],
    ]);
  });

  it('groups notes by talk in agenda order and sorts them by votes', () => {
    expect(headings(tree, 3).slice(0, 2)).toEqual(['Secure aggregation in practice', 'Not linked to a talk']);
    const talkA = listAfter(tree, 'Secure aggregation in practice');
    expect(talkA).toEqual([
      '3 votes: Write a data-sharing agreement\ntemplate *for all sites* — Kenji Watanabe',
      '1 vote: Share a common validation split — Ana Souza',
    ]);
    expect(listAfter(tree, 'Not linked to a talk')).toEqual([
      '0 votes: Where do we publish results? — Ngozi Okafor',
    ]);
  });

  it('contains every owner and every task, grouped by owner with due dates and status', () => {
    for (const owner of WORKSHOP.owners) expect(headings(tree, 3).join('\n')).toContain(owner);
    const all = tree.children
      .filter((n): n is List => n.type === 'list')
      .flatMap((l) => l.children.map(plain));
    for (const t of snapshot.tasks) expect(all.some((line) => line.startsWith(t.title))).toBe(true);

    // "Ana Souza" and "ana souza" are one owner.
    expect(listAfter(tree, 'Ana Souza (2)')).toEqual([
      `${WORKSHOP.markdownTitle} — due 2023-01-31, done`,
      `${WORKSHOP.trickyTitle} — due 2023-02-15, open, talk: Harmonising scanners`,
    ]);
    expect(listAfter(tree, 'Ngozi Okafor (1)')).toEqual(['Plan the next workshop — no due date, open']);
    expect(listAfter(tree, 'Unassigned (1)')).toEqual(['Collect slides — due 2023-01-27, open']);
    expect(md).toContain(`- [x] `);
    expect(snapshot.tasks.find((t) => t.id === ids.tasks.markdown)?.status).toBe('done');
  });

  it('escapes Markdown in user text: it reads back literally and adds no structure', () => {
    // The task titled "# 1. *Not* a heading | [link](x) <b>" made no heading, link, emphasis or HTML.
    expect(headings(tree, 1)).toHaveLength(1);
    expect(md).not.toMatch(/^# 1\./m);
    const kinds = new Set<string>();
    const walk = (n: { type: string; children?: unknown[] }): void => {
      kinds.add(n.type);
      (n.children as { type: string }[] | undefined)?.forEach((c) => walk(c));
    };
    walk(tree);
    expect(kinds.has('link')).toBe(false);
    expect(kinds.has('html')).toBe(false);
  });

  it('keeps a pipe in an agenda title inside its table cell', () => {
    const d = newBoardDocs();
    addItem(d.agenda, { start: '09:00', minutes: 10, title: 'Q|A session' }, serverOrigin('t'));
    const table = parse(toMinutesMarkdown(snapshotOf(d))).children.find(
      (n): n is Table => n.type === 'table',
    )!;
    expect(table.children[1]!.children.map((c) => toString(c))).toEqual(['09:00–09:10', 'Q|A session', '']);
  });

  it('leaves author names out when notes are anonymous', () => {
    const { docs: anon } = buildWorkshop();
    setAnonymousNotes(anon.agenda, true, serverOrigin('t'));
    const notes = listAfter(parse(toMinutesMarkdown(snapshotOf(anon))), 'Not linked to a talk');
    expect(notes).toEqual(['0 votes: Where do we publish results?']);
  });

  it('NB6: an empty note never appears in the minutes ("0 votes: —")', () => {
    const { docs: withEmpty } = buildWorkshop();
    addNote(
      withEmpty.board,
      { id: 'blank', text: '  ', x: 0, y: 0, authorId: 'u1', authorName: 'Ada', itemId: null, createdAt: 9 },
      serverOrigin('t'),
    );
    const minutes = toMinutesMarkdown(snapshotOf(withEmpty));
    expect(listAfter(parse(minutes), 'Not linked to a talk')).toEqual(
      listAfter(parse(toMinutesMarkdown(snapshotOf(buildWorkshop().docs))), 'Not linked to a talk'),
    );
    expect(minutes).not.toMatch(/0 votes: *(—|$)/m);
  });

  it('an empty board still gives readable minutes', () => {
    const md = toMinutesMarkdown(snapshotOf(newBoardDocs(), { id: 'b', title: 'Empty board' }));
    expect(md).toContain('# Empty board');
    expect(md).toContain('Date not set');
    expect(md).toContain('No tasks.');
  });
});
