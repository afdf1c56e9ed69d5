import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AgendaImportError,
  DEFAULT_LAST_MINUTES,
  kindOf,
  MAX_PAGE_CHARS,
  parseAgendaPage,
  type ImportedItem,
} from '../../server/import/markdown-agenda';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/agenda-pages');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

/** start, minutes, kind, title, speaker, affiliation, url */
type Row = [string, number, ImportedItem['kind'], string, string?, string?, string?];
const rows = (items: ImportedItem[]): Row[] =>
  items.map((i) => {
    const r: Row = [i.start, i.minutes, i.kind, i.title];
    if (i.speaker || i.affiliation || i.url) r.push(i.speaker, i.affiliation, i.url);
    return r;
  });

const table = (...lines: string[]): string => lines.join('\n') + '\n';

describe('page shapes (issue 3 "Import an existing page")', () => {
  const cases: Array<{ name: string; page: string; items: Row[]; warn?: RegExp[] }> = [
    {
      name: '12-hour times with AM/PM, a Who column with a linked speaker, placeholders and "Close"',
      page: fixture('twelve-hour-pacific.md'),
      items: [
        ['09:00', 30, 'other', 'Doors open & coffee'],
        [
          '09:30',
          45,
          'talk',
          'Keynote: sustaining open source',
          'Dana Whitfield',
          '',
          'https://example.org/dana',
        ],
        ['10:15', 15, 'break', 'Coffee Break'],
        ['10:30', 60, 'discussion', 'Panel: funding models'],
        ['11:30', 60, 'break', 'Lunch'],
        ['12:30', 90, 'talk', 'Workshop: triage at scale', 'Sam Okafor', 'Triage Guild', ''],
      ],
    },
    {
      name: 'military ranges "0900 - 0930", an &nbsp; spacer column, a remarks column with a link, bold and italics',
      page: fixture('ranges-military.md'),
      items: [
        ['09:00', 30, 'other', 'Arrival and registration'],
        ['09:30', 60, 'other', 'Session 1 – Data pipelines', '', '', 'https://example.org/notes/1'],
        ['10:30', 15, 'break', 'Pause'],
        ['10:45', 75, 'discussion', 'Round table on tooling'],
      ],
    },
    {
      name: 'a stray PM on 11:35 and afternoon times without PM are corrected with warnings naming the rows',
      page: fixture('stray-pm.md'),
      items: [
        ['10:55', 20, 'other', 'Opening'],
        ['11:15', 20, 'talk', 'Imaging update', 'Ana Ruiz', 'Lab A', ''],
        ['11:35', 20, 'talk', 'Segmentation results', 'Bo Chen', 'Lab B', ''],
        ['11:55', 65, 'break', 'Lunch'],
        ['13:00', 60, 'discussion', 'Discussion'],
      ],
      warn: [/row 3 \(11:35 PM.*read as 11:35 instead of 23:35/, /row 5 \(1:00.*read as 13:00/],
    },
    {
      name: 'ranges with the meridiem written once ("11:30 - 1:00 PM") and a range ending after noon ("12:30 - 1:15")',
      page: table(
        '| Time | Title |',
        '|---|---|',
        '| 9:00 - 10:30 AM | Tutorial |',
        '| 11:30 - 1:00 PM | Hackathon |',
        '| 12:30 - 1:15 | Poster session |',
      ),
      items: [
        ['09:00', 90, 'other', 'Tutorial'],
        ['11:30', 90, 'other', 'Hackathon'],
        ['12:30', 45, 'other', 'Poster session'],
      ],
    },
    {
      name: 'columns in another order with other names: Topic first, Presenter, Start as "10h30"',
      page: table(
        '| Topic | Presenter | Start |',
        '|---|---|---|',
        '| Opening remarks | TBD | 10h00 |',
        '| [Robust training](https://example.org/paper) | [Kim Lee](https://example.org/kim) (KAIST) | 10h30 |',
        '| Q&A | Everyone | 11h00 |',
        '| End of the day | | 11h30 |',
      ),
      items: [
        ['10:00', 30, 'other', 'Opening remarks'],
        ['10:30', 30, 'talk', 'Robust training', 'Kim Lee', 'KAIST', 'https://example.org/paper'],
        ['11:00', 30, 'discussion', 'Q&A'],
      ],
    },
    {
      name: 'a header row that is itself a time row, and a last item with no end',
      page: table('| 14:00 | Kick-off |', '|---|---|', '| 14:20 | Demo of the prototype |'),
      items: [
        ['14:00', 20, 'other', 'Kick-off'],
        ['14:20', DEFAULT_LAST_MINUTES, 'other', 'Demo of the prototype'],
      ],
      warn: [/row 2 \(14:20.*no end time/],
    },
    {
      name: 'rows without a time are skipped with a warning, bare URL links are dropped from titles',
      page: table(
        '| Time | Session |',
        '|---|---|',
        '| 09:00 | Setup ([https://example.org/setup](https://example.org/setup)) |',
        '| | (continued) |',
        '| 09:30 | **Maria Rossi** (ETH Zürich) – Federated evaluation |',
        '| 10:00 | Adjourn |',
      ),
      items: [
        ['09:00', 30, 'other', 'Setup', '', '', 'https://example.org/setup'],
        ['09:30', 30, 'talk', 'Federated evaluation', 'Maria Rossi', 'ETH Zürich', ''],
      ],
      warn: [/row 2 \(no time.*skipped/],
    },
    {
      name: 'the first table with a time column wins over a table of contacts before it',
      page: table(
        '| Name | Email |',
        '|---|---|',
        '| Ana | ana@example.org |',
        '',
        '| Hour | Activity |',
        '|---|---|',
        '| 08:30 | Breakfast |',
        '| 09:00 | Brainstorming in groups |',
        '| 10:00 | Finish |',
      ),
      items: [
        ['08:30', 30, 'break', 'Breakfast'],
        ['09:00', 60, 'discussion', 'Brainstorming in groups'],
      ],
    },
  ];

  it.each(cases)('$name', ({ page, items, warn }) => {
    const result = parseAgendaPage(page);
    expect(rows(result.items)).toEqual(items);
    for (const w of warn ?? [])
      expect(
        result.warnings.some((x) => w.test(x)),
        `${w} in ${result.warnings.join(' | ')}`,
      ).toBe(true);
  });

  it('a page without an agenda table is refused with what was expected, also when it only has lists or other tables', () => {
    for (const page of [fixture('no-table.md'), '# Just a title\n\nSome text.', '']) {
      let error: unknown;
      try {
        parseAgendaPage(page);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AgendaImportError);
      expect((error as AgendaImportError).code).toBe('no-agenda-table');
      expect((error as Error).message).toMatch(/time column/);
      expect((error as Error).message).toMatch(/title or topic column/);
    }
  });

  it('a page longer than MAX_PAGE_CHARS is refused as too large before parsing', () => {
    let error: unknown;
    try {
      parseAgendaPage('| Time | Topic |\n|---|---|\n| 10:00 | x |\n' + 'x'.repeat(MAX_PAGE_CHARS));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AgendaImportError);
    expect((error as AgendaImportError).code).toBe('too-large');
    expect((error as Error).message).toMatch(/at most 50000/);
  });

  it('keeps at most 200 items and says so', () => {
    const lines = ['| Time | Topic |', '|---|---|'];
    for (let m = 0; m < 230; m++)
      lines.push(
        `| ${String(Math.floor(m / 10) + 0).padStart(2, '0')}:${String((m % 10) * 5).padStart(2, '0')} | Slot ${m} |`,
      );
    const result = parseAgendaPage(table(...lines.slice(0, 2), ...lines.slice(2, 232)));
    expect(result.items.length).toBe(200);
    expect(result.warnings.some((w) => /kept the first 200/.test(w))).toBe(true);
  });

  it('drops links that are not http(s) from items and warns', () => {
    const result = parseAgendaPage(
      table('| Time | Topic |', '|---|---|', '| 10:00 | [Intro](javascript:alert(1)) |'),
    );
    expect(result.items[0]?.url).toBe('');
    expect(result.items[0]?.title).toBe('Intro');
    expect(result.warnings.some((w) => /not an http/.test(w))).toBe(true);
  });
});

describe('page meta: title, date, zone and links', () => {
  it('mis-encoded text is repaired everywhere: title, speaker, affiliation, titles and emoji', () => {
    const result = parseAgendaPage(fixture('mojibake.md'));
    expect(result.meta.title).toBe('Réunion annuelle');
    expect(rows(result.items)).toEqual([
      ['14:00', 45, 'talk', 'État des lieux', 'Françoise Müller', 'Université de Genève', ''],
      ['14:45', 15, 'break', 'Café'],
    ]);
    expect(result.meta.date).toBe('2025-06-05');
    expect(result.meta.timeZone).toBe('Etc/GMT-1');
    expect(result.warnings.some((w) => /UTC\+01:00.*Etc\/GMT-1/.test(w))).toBe(true);
  });

  it('title: a Markdown h1 wins over front matter; front matter is used when there is no h1; <br> becomes a space', () => {
    const body = table('| Time | Topic |', '|---|---|', '| 10:00 | Intro |');
    expect(parseAgendaPage(`---\ntitle: "Slug 2024"\n---\n\n# Real &amp; title\n\n${body}`).meta.title).toBe(
      'Real & title',
    );
    expect(parseAgendaPage(`---\ntitle: "Slug 2024"\n---\n\n## Agenda\n\n${body}`).meta.title).toBe(
      'Slug 2024',
    );
    expect(parseAgendaPage(`<h1 align="center">Two <br/> lines</h1>\n\n${body}`).meta.title).toBe(
      'Two lines',
    );
    expect(parseAgendaPage(`### Only a small heading\n\n${body}`).meta.title).toBe('Only a small heading');
  });

  it('front matter is not mistaken for a heading or a table', () => {
    const result = parseAgendaPage(
      table(
        '---',
        'title: Retreat',
        'permalink: /r',
        '---',
        '',
        '| Time | Topic |',
        '|---|---|',
        '| 10:00 | Intro |',
      ),
    );
    expect(result.meta.title).toBe('Retreat');
    expect(result.items).toHaveLength(1);
  });

  it('the zone in the time column header ("Time (CET)") wins over a zone elsewhere on the page', () => {
    const result = parseAgendaPage(
      table(
        'Some attendees join from Eastern Time.',
        '',
        '| Time (CET) | Topic |',
        '|---|---|',
        '| 10:00 | Intro |',
      ),
    );
    expect(result.meta.timeZone).toBe('Europe/Berlin');
  });

  it('without a zone or a date the page is read as UTC and undated, with warnings saying what to set', () => {
    const result = parseAgendaPage(table('| Time | Topic |', '|---|---|', '| 10:00 | Intro |'));
    expect(result.meta).toMatchObject({ timeZone: 'UTC', date: '', links: {} });
    expect(result.found).toEqual({ title: false, timeZone: false, date: false });
    expect(result.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/no time zone/), expect.stringMatching(/no date/)]),
    );
  });

  it('links: Teams/Meet/Webex/Jitsi are meetings, "register here" is registration, Mural is the whiteboard; first of each kind wins', () => {
    const page = [
      '# Day',
      '',
      'Join on [Teams](https://teams.microsoft.com/l/meetup-join/abc) or the [backup](https://meet.google.com/abc-defg-hij).',
      '',
      'Please register [here](https://example.org/rsvp).',
      '',
      'Ideas go on [the wall](https://app.mural.co/t/team/m/team/123).',
      '',
      table('| Time | Topic |', '|---|---|', '| 10:00 | Intro ([slides](https://example.org/s.pdf)) |'),
    ].join('\n');
    expect(parseAgendaPage(page).meta.links).toEqual({
      meeting: 'https://teams.microsoft.com/l/meetup-join/abc',
      registration: 'https://example.org/rsvp',
      whiteboard: 'https://app.mural.co/t/team/m/team/123',
    });
  });

  it('several dates on a page: the first is used and the others are named in a warning', () => {
    const result = parseAgendaPage(
      table(
        'Held on 2024-11-08. Registration closes November 1st, 2024.',
        '',
        '| Time | Topic |',
        '|---|---|',
        '| 10:00 | Intro |',
      ),
    );
    expect(result.meta.date).toBe('2024-11-08');
    expect(result.warnings.some((w) => w.includes('2024-11-01'))).toBe(true);
  });
});

describe('item kinds', () => {
  it.each([
    ['Break', '', 'break'],
    ['Coffee Break', '', 'break'],
    ['*Break (zoom link stays open)*', '', 'break'],
    ['Lunch', '', 'break'],
    ['Discussion, next steps', '', 'discussion'],
    ['Panel on governance', 'Ana', 'discussion'],
    ['Q&A', '', 'discussion'],
    ['Open questions', '', 'discussion'],
    ['Federated learning at scale', 'Ana', 'talk'],
    ['Welcome', '', 'other'],
    ['Breakthroughs in imaging', 'Ana', 'talk'],
  ] as const)('"%s" with speaker "%s" is %s', (title, speaker, kind) => {
    expect(kindOf(title.replace(/\*/g, ''), speaker)).toBe(kind);
  });
});
