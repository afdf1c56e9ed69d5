import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  mergeItems,
  planItemMerge,
  replaceItems,
  setCurrentItem,
  shiftDelay,
  type AgendaItemInput,
} from '../../shared/ops/agenda';
import { localOrigin, readAgenda, serverOrigin } from '../../shared/schema';

const org = localOrigin('organizer-1');
const imp = serverOrigin('import');

const DAY: AgendaItemInput[] = [
  { start: '10:00', minutes: 20, title: 'Federated learning', speaker: 'Marco', kind: 'talk' },
  { start: '10:20', minutes: 10, title: 'Coffee Break', kind: 'break' },
  { start: '10:30', minutes: 30, title: 'Privacy', speaker: 'Olga', kind: 'talk' },
];

function seeded(): { doc: Y.Doc; ids: string[] } {
  const doc = new Y.Doc();
  const ids = replaceItems(doc, DAY, org);
  return { doc, ids };
}

describe('AG6: re-import keeps matching items', () => {
  it('AG6: matches by start and title first, then by title, each existing item once', () => {
    const { doc, ids } = seeded();
    const current = readAgenda(doc).items;
    const plan = planItemMerge(current, [
      // Same title, new start: matched by title, changed.
      { start: '09:55', minutes: 25, title: 'Federated learning', speaker: 'Marco', kind: 'talk' },
      // Same start, title differing in case and spaces: matched, and its new spelling is a change.
      { start: '10:20', minutes: 10, title: 'coffee break ', kind: 'break' },
      // New.
      { start: '10:30', minutes: 30, title: 'Panel', kind: 'discussion' },
      // A second "Coffee Break" does not take the first one's id again.
      { start: '11:00', minutes: 10, title: 'Coffee Break', kind: 'break' },
    ]);
    expect(plan.keep).toEqual([ids[0], ids[1], null, null]);
    expect(plan.changed).toEqual([ids[0], ids[1]]);
    expect(plan.removed).toEqual([ids[2]]);
    expect(plan.added).toBe(2);
    expect(plan.unchanged).toBe(0);
  });

  it('AG6: same start and title wins over a title met earlier', () => {
    const doc = new Y.Doc();
    const [a, b] = replaceItems(
      doc,
      [
        { start: '09:00', minutes: 10, title: 'Q&A' },
        { start: '12:00', minutes: 10, title: 'Q&A' },
      ],
      org,
    );
    const plan = planItemMerge(readAgenda(doc).items, [{ start: '12:00', minutes: 15, title: 'Q&A' }]);
    expect(plan.keep).toEqual([b]);
    expect(plan.removed).toEqual([a]);
  });

  it('AG6: mergeItems keeps ids, the pin and the delay in one transaction', () => {
    const { doc, ids } = seeded();
    setCurrentItem(doc, ids[0] as string, org);
    shiftDelay(doc, 10, org);
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    const plan = mergeItems(
      doc,
      [
        { start: '09:55', minutes: 25, title: 'Federated learning', speaker: 'Marco', kind: 'talk' },
        { start: '10:20', minutes: 10, title: 'Coffee Break', kind: 'break' },
        { start: '10:30', minutes: 30, title: 'Panel', kind: 'discussion' },
      ],
      imp,
    );
    expect(transactions).toBe(1);
    expect(plan).toMatchObject({ changed: [ids[0]], removed: [ids[2]], added: 1, unchanged: 1 });
    const a = readAgenda(doc);
    expect(a.items.map((i) => [i.title, i.start])).toEqual([
      ['Federated learning', '09:55'],
      ['Coffee Break', '10:20'],
      ['Panel', '10:30'],
    ]);
    expect(a.items[0]?.id).toBe(ids[0]);
    expect(a.items[1]?.id).toBe(ids[1]);
    expect(ids).not.toContain(a.items[2]?.id);
    expect(a.live.currentItemId).toBe(ids[0]);
    expect(a.live.delayMinutes).toBe(10);
  });

  it('AG6: the pin is cleared only when its item is removed; the delay stays', () => {
    const { doc, ids } = seeded();
    setCurrentItem(doc, ids[2] as string, org);
    shiftDelay(doc, -5, org);
    mergeItems(doc, DAY.slice(0, 2), imp);
    const a = readAgenda(doc);
    expect(a.items.map((i) => i.id)).toEqual(ids.slice(0, 2));
    expect(a.live.currentItemId).toBeNull();
    expect(a.live.delayMinutes).toBe(-5);
  });

  it('AG6: mergeItems validates every item before writing anything', () => {
    const { doc } = seeded();
    const before = Y.encodeStateVector(doc);
    expect(() => mergeItems(doc, [...DAY, { start: '9am', minutes: 5, title: 'bad' }], imp)).toThrow(
      /item 4: start must be HH:MM/,
    );
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });
});
