import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createTask } from '../../shared/ops/tasks';
import { serverOrigin } from '../../shared/schema';
import { toTasksCsv } from '../../server/export/csv';
import { buildWorkshop, newBoardDocs, snapshotOf, WORKSHOP } from '../fixtures/boards/workshop';

const parseCsv = (csv: string): Record<string, string>[] =>
  parse(csv, { bom: true, columns: true, skip_empty_lines: false }) as Record<string, string>[];

describe('tasks.csv', () => {
  const { docs, ids } = buildWorkshop();
  const snapshot = snapshotOf(docs);
  const csv = toTasksCsv(snapshot);

  it('starts with a UTF-8 byte order mark and the header title,owner,due,status,talk,note', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1).split('\r\n')[0]).toBe('title,owner,due,status,talk,note');
  });

  it('a CSV parser gives back every title exactly: commas, quotes, line breaks and non-Latin text', () => {
    const rows = parseCsv(csv);
    expect(rows.map((r) => r.title)).toEqual(snapshot.tasks.map((t) => t.title));
    expect(rows.map((r) => r.title)).toContain(WORKSHOP.trickyTitle);
    expect(rows.map((r) => r.title)).toContain(WORKSHOP.markdownTitle);
  });

  it('one row per task with owner, due date, status, talk title and note text', () => {
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(snapshot.tasks.length);
    const byTitle = new Map(rows.map((r) => [r.title, r]));
    expect(byTitle.get(WORKSHOP.trickyTitle)).toEqual({
      title: WORKSHOP.trickyTitle,
      owner: 'Ana Souza',
      due: '2023-02-15',
      status: 'open',
      talk: 'Harmonising scanners',
      note: '',
    });
    const fromNote = snapshot.tasks.find((t) => t.id === ids.tasks.fromNote)!;
    expect(byTitle.get(fromNote.title)).toMatchObject({
      owner: 'Kenji Watanabe',
      due: '2023-03-01',
      status: 'doing',
      talk: 'Secure aggregation in practice',
      note: 'Write a data-sharing agreement\ntemplate *for all sites*',
    });
    expect(byTitle.get('Plan the next workshop')).toMatchObject({ due: '', owner: 'Ngozi Okafor' });
  });

  it('ends records with CRLF and quotes fields holding a bare line feed (RFC 4180)', () => {
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv).toContain('"Zürich, ""quoted""\nnext line — 東京"');
    // Every record delimiter outside quotes is CRLF: no row is split by a lone LF.
    const outsideQuotes = csv.replace(/"(?:[^"]|"")*"/g, '');
    expect(outsideQuotes.includes('\n')).toBe(true);
    expect(/(?<!\r)\n/.test(outsideQuotes)).toBe(false);
  });

  it('an empty board gives just the header row', () => {
    const empty = toTasksCsv(snapshotOf(newBoardDocs()));
    expect(parseCsv(empty)).toEqual([]);
    expect(empty).toBe('\ufefftitle,owner,due,status,talk,note\r\n');
  });

  it('cells that a spreadsheet would run as formulas are prefixed with an apostrophe', () => {
    const docs = newBoardDocs();
    createTask(docs.tasks, { title: '=HYPERLINK("http://evil")', owner: '@admin' }, serverOrigin('t'));
    const [row] = parseCsv(toTasksCsv(snapshotOf(docs)));
    expect(row).toMatchObject({ title: `'=HYPERLINK("http://evil")`, owner: `'@admin` });
  });
});

describe('tasks.csv formula injection (issue 9)', () => {
  const attacks = [
    ' =1+1',
    '\n=HYPERLINK("http://evil","x")',
    '\r\n+cmd|"/c calc"!A0',
    '\t@SUM(A1)',
    '  \u00a0-2+3',
    '＝1',
    '＋1',
    '－1',
    '＠SUM(1)',
    ' ＝1',
    '\x00=1',
  ];

  it.each(attacks.map((a) => [JSON.stringify(a), a] as const))(
    'the cell %s is read back as text, with an apostrophe in front',
    (_name, attack) => {
      // As a peer could write them (the ops trim; a raw Yjs update need not).
      const docs = newBoardDocs();
      createTask(docs.tasks, { title: 'placeholder' }, serverOrigin('t'));
      const base = snapshotOf(docs);
      const snapshot = { ...base, tasks: base.tasks.map((t) => ({ ...t, title: attack, owner: attack })) };
      const [row] = parseCsv(toTasksCsv(snapshot));
      expect(row).toMatchObject({ title: `'${attack}`, owner: `'${attack}` });
    },
  );

  it('talk titles and note texts are neutralised the same way', () => {
    const { docs, ids } = buildWorkshop();
    const snapshot = snapshotOf(docs);
    const hostile = {
      ...snapshot,
      agenda: { ...snapshot.agenda, items: snapshot.agenda.items.map((i) => ({ ...i, title: ' =1+1' })) },
      notes: snapshot.notes.map((n) => ({ ...n, text: '\n=HYPERLINK("http://evil")' })),
    };
    const fromNote = parseCsv(toTasksCsv(hostile)).find(
      (r) => r.title === snapshot.tasks.find((t) => t.id === ids.tasks.fromNote)!.title,
    )!;
    expect(fromNote).toMatchObject({ talk: `' =1+1`, note: `'\n=HYPERLINK("http://evil")` });
  });

  it('ordinary text, including text with formula characters later on, is left as it is', () => {
    const docs = newBoardDocs();
    createTask(docs.tasks, { title: 'placeholder' }, serverOrigin('t'));
    const base = snapshotOf(docs);
    const snapshot = {
      ...base,
      tasks: base.tasks.map((t) => ({ ...t, title: 'Check 1+1=2 @ noon', owner: ' Ana 東京' })),
    };
    const [row] = parseCsv(toTasksCsv(snapshot));
    expect(row).toMatchObject({ title: 'Check 1+1=2 @ noon', owner: ' Ana 東京' });
  });
});
