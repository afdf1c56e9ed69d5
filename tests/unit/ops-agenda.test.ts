import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addItem,
  backOnSchedule,
  removeItem,
  replaceItems,
  setCurrentItem,
  setMeta,
  shiftDelay,
  startItemNow,
  updateItem,
  type AgendaItemInput,
} from '../../shared/ops/agenda';
import { agendaItems, LIMITS, localOrigin, readAgenda, serverOrigin } from '../../shared/schema';
import { scheduledItems } from '../../shared/time/schedule';

const org = localOrigin('organizer-1');

function seeded(): { doc: Y.Doc; ids: string[] } {
  const doc = new Y.Doc();
  setMeta(doc, { title: 'FL workshop', timeZone: 'America/New_York', date: '2023-01-20' }, org);
  const ids = replaceItems(
    doc,
    [
      { start: '10:00', minutes: 15, title: 'Intro', kind: 'other' },
      {
        start: '10:30',
        minutes: 20,
        title: 'MedPerf',
        speaker: 'Alexandros Karargyris',
        affiliation: 'IHU Strasbourg',
        url: 'https://www.medperf.org/',
        kind: 'talk',
      },
      {
        start: '10:50',
        minutes: 20,
        title: 'Fed-BioMed',
        speaker: 'Marco Lorenzi',
        affiliation: 'INRIA',
        kind: 'talk',
      },
    ],
    serverOrigin('import'),
  );
  return { doc, ids };
}

/** Every transaction of `fn`, with its origin. */
function transactions(doc: Y.Doc, fn: () => void): unknown[] {
  const origins: unknown[] = [];
  const on = (tr: Y.Transaction): void => {
    origins.push(tr.origin);
  };
  doc.on('afterTransaction', on);
  try {
    fn();
  } finally {
    doc.off('afterTransaction', on);
  }
  return origins;
}

describe('agenda meta', () => {
  it('sets title, zone, date and links, readable back through readAgenda', () => {
    const { doc } = seeded();
    setMeta(doc, { links: { meeting: 'https://polymtl-ca.zoom.us/j/89691175199', registration: '' } }, org);
    expect(readAgenda(doc).meta).toEqual({
      title: 'FL workshop',
      timeZone: 'America/New_York',
      date: '2023-01-20',
      links: { meeting: 'https://polymtl-ca.zoom.us/j/89691175199' },
    });
    setMeta(doc, { date: '' }, org);
    expect(readAgenda(doc).meta.date).toBe('');
  });

  it.each([
    [{ timeZone: 'Eastern' }, /IANA/],
    [{ date: '2023-02-30' }, /YYYY-MM-DD/],
    [{ title: 'x'.repeat(LIMITS.titleLength + 1) }, /longer than/],
    [{ links: { meeting: 'javascript:alert(1)' } }, /http/],
  ])('rejects %j with a RangeError before writing anything', (patch, message) => {
    const { doc } = seeded();
    const before = Y.encodeStateAsUpdate(doc);
    expect(() => setMeta(doc, patch, org)).toThrow(message);
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });

  it('refuses a __proto__ link name', () => {
    const { doc } = seeded();
    const links = JSON.parse('{"__proto__": "https://evil.example"}') as Record<string, string>;
    expect(() => setMeta(doc, { links }, org)).toThrow(RangeError);
  });
});

describe('agenda items', () => {
  it('adds an item with defaults and returns its id', () => {
    const { doc } = seeded();
    const id = addItem(doc, { start: '12:00', minutes: 60, title: 'Break', kind: 'break' }, org);
    expect(readAgenda(doc).items.find((i) => i.id === id)).toEqual({
      id,
      start: '12:00',
      minutes: 60,
      title: 'Break',
      speaker: '',
      affiliation: '',
      url: '',
      kind: 'break',
    });
  });

  it('keeps items sorted by start when one is moved by editing its time', () => {
    const { doc, ids } = seeded();
    updateItem(doc, ids[2] as string, { start: '09:45', title: '  Early talk ' }, org);
    const items = readAgenda(doc).items;
    expect(items.map((i) => i.title)).toEqual(['Early talk', 'Intro', 'MedPerf']);
  });

  it.each<[Partial<AgendaItemInput>, RegExp]>([
    [{ start: '9:00' }, /HH:MM/],
    [{ start: '24:00' }, /HH:MM/],
    [{ minutes: -1 }, /minutes/],
    [{ minutes: 12.5 }, /minutes/],
    [{ minutes: LIMITS.maxMinutes + 1 }, /minutes/],
    [{ url: 'ftp://files.example/slides' }, /url/],
    [{ kind: 'keynote' as never }, /kind/],
    [{ title: 42 as never }, /title must be a string/],
  ])('refuses an item patch %j', (patch, message) => {
    const { doc, ids } = seeded();
    expect(() => updateItem(doc, ids[0] as string, patch, org)).toThrow(message);
    expect(() => addItem(doc, { start: '12:00', minutes: 10, title: 'x', ...patch }, org)).toThrow(
      RangeError,
    );
  });

  it('requires start, minutes and title for a new item', () => {
    const { doc } = seeded();
    expect(() => addItem(doc, { minutes: 10, title: 'x' } as AgendaItemInput, org)).toThrow(
      /start is required/,
    );
    expect(() => addItem(doc, { start: '10:00', title: 'x' } as AgendaItemInput, org)).toThrow(
      /minutes is required/,
    );
  });

  it('refuses more than the item limit', () => {
    const doc = new Y.Doc();
    const many = Array.from({ length: LIMITS.maxItems }, () => ({
      start: '10:00',
      minutes: 1,
      title: 't',
    }));
    replaceItems(doc, many, org);
    expect(() => addItem(doc, { start: '11:00', minutes: 1, title: 'one more' }, org)).toThrow(/at most/);
    expect(() => replaceItems(doc, [...many, many[0]!], org)).toThrow(/at most/);
  });

  it('refuses to edit or remove an unknown item', () => {
    const { doc } = seeded();
    expect(() => updateItem(doc, 'missing', { title: 'x' }, org)).toThrow(/no agenda item/);
    expect(() => removeItem(doc, 'missing', org)).toThrow(/no agenda item/);
    expect(() => setCurrentItem(doc, '__proto__', org)).toThrow(/no agenda item/);
  });

  it('removing the pinned item clears the pin', () => {
    const { doc, ids } = seeded();
    setCurrentItem(doc, ids[1] as string, org);
    removeItem(doc, ids[1] as string, org);
    expect(readAgenda(doc).live.currentItemId).toBeNull();
    expect(readAgenda(doc).items).toHaveLength(2);
  });

  it('replaceItems swaps the whole list in one transaction and resets pin and delay', () => {
    const { doc, ids } = seeded();
    startItemNow(doc, ids[1] as string, Date.parse('2023-01-20T15:40:00Z'), org);
    const origins = transactions(doc, () =>
      replaceItems(doc, [{ start: '09:00', minutes: 30, title: 'Only' }], serverOrigin('import')),
    );
    expect(origins).toEqual([serverOrigin('import')]);
    const a = readAgenda(doc);
    expect(a.items.map((i) => i.title)).toEqual(['Only']);
    expect(a.live.currentItemId).toBeNull();
    expect(a.live.delayMinutes).toBe(0);
  });

  it('replaceItems validates every item first and names the bad one', () => {
    const { doc } = seeded();
    expect(() =>
      replaceItems(
        doc,
        [
          { start: '09:00', minutes: 30, title: 'ok' },
          { start: '9am', minutes: 5, title: 'bad' },
        ],
        org,
      ),
    ).toThrow(/item 2: start must be HH:MM/);
    expect(agendaItems(doc).size).toBe(3);
  });
});

describe('live slippage operations', () => {
  it('startItemNow makes the item current and shifts it and later items by the difference', () => {
    const { doc, ids } = seeded();
    const now = Date.parse('2023-01-20T15:40:00Z'); // 10:40 EST; MedPerf planned 10:30
    expect(startItemNow(doc, ids[1] as string, now, org)).toBe(10);
    const a = readAgenda(doc);
    expect(a.live).toMatchObject({ currentItemId: ids[1], delayMinutes: 10 });
    const s = scheduledItems(a);
    expect(s.map((i) => (i.startMs - i.plannedStartMs) / 60_000)).toEqual([0, 10, 10]);
    expect(s[1]?.startMs).toBe(now);
  });

  it('+5 / -5 adjust the delay and back on schedule clears delay and pin', () => {
    const { doc, ids } = seeded();
    startItemNow(doc, ids[1] as string, Date.parse('2023-01-20T15:40:00Z'), org);
    expect(shiftDelay(doc, 5, org)).toBe(15);
    expect(shiftDelay(doc, -5, org)).toBe(10);
    expect(shiftDelay(doc, -5, org)).toBe(5);
    backOnSchedule(doc, org);
    expect(readAgenda(doc).live).toMatchObject({ currentItemId: null, delayMinutes: 0 });
  });

  it('refuses fractional, zero and huge delay changes, and a non-finite now', () => {
    const { doc, ids } = seeded();
    expect(() => shiftDelay(doc, 0, org)).toThrow(RangeError);
    expect(() => shiftDelay(doc, 2.5, org)).toThrow(RangeError);
    expect(() => shiftDelay(doc, LIMITS.maxMinutes + 1, org)).toThrow(RangeError);
    expect(() => startItemNow(doc, ids[0] as string, Number.NaN, org)).toThrow(RangeError);
  });

  it('refuses to start an item more than a day from its planned time, naming the date to change', () => {
    const { doc, ids } = seeded();
    const before = Y.encodeStateAsUpdate(doc);
    expect(() => startItemNow(doc, ids[0] as string, Date.parse('2026-11-26T15:00:00Z'), org)).toThrow(
      /planned for 2023-01-20.*set the event date/,
    );
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });

  it('clamps the accumulated delay to a day', () => {
    const { doc } = seeded();
    shiftDelay(doc, LIMITS.maxMinutes, org);
    expect(shiftDelay(doc, 5, org)).toBe(LIMITS.maxMinutes);
  });

  it('each operation is exactly one transaction carrying the given origin', () => {
    const { doc, ids } = seeded();
    const id = ids[0] as string;
    const origins = transactions(doc, () => {
      setMeta(doc, { title: 'T' }, org);
      updateItem(doc, id, { minutes: 20 }, org);
      startItemNow(doc, id, Date.parse('2023-01-20T15:05:00Z'), org);
      shiftDelay(doc, 5, org);
      setCurrentItem(doc, null, org);
      backOnSchedule(doc, org);
      removeItem(doc, id, org);
    });
    expect(origins).toEqual(Array(7).fill(org));
  });

  it('a second replica sees the shifted schedule after sync', () => {
    const { doc, ids } = seeded();
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    startItemNow(doc, ids[1] as string, Date.parse('2023-01-20T15:45:00Z'), org);
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(other)));
    const s = scheduledItems(readAgenda(other));
    expect(s[2]?.startMs).toBe(Date.parse('2023-01-20T16:05:00Z'));
  });
});
