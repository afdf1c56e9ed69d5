import { describe, expect, it } from 'vitest';
import { PLACES, matchesPlace, placeOf, type Place } from '../../shared/schema/places';
import { fieldAt, SHAPE, shapeAt } from '../../shared/schema/shape';
import type { DocKind } from '../../shared/schema';

/** The table of where each gate rule applies (shared/schema/places.ts) agrees with the schema. */

const KINDS = Object.keys(PLACES) as DocKind[];

/** Whether some place matches both patterns (`*` any one key, `**` last: one key or more). */
function overlap(a: readonly string[], b: readonly string[]): boolean {
  const restA = a.at(-1) === '**';
  const restB = b.at(-1) === '**';
  const fixedA = restA ? a.length - 1 : a.length;
  const fixedB = restB ? b.length - 1 : b.length;
  if (!restA && !restB && a.length !== b.length) return false;
  if (!restA && restB && a.length < fixedB + 1) return false;
  if (restA && !restB && b.length < fixedA + 1) return false;
  for (let i = 0; i < Math.min(fixedA, fixedB); i++)
    if (a[i] !== '*' && b[i] !== '*' && a[i] !== b[i]) return false;
  return true;
}

/** A concrete place for a pattern: wildcards become a sample id. */
const sample = (at: readonly string[]): string[] => at.map((s) => (s === '*' || s === '**' ? 'id1' : s));

describe('G1: the places of the gate rules are places of the schema', () => {
  for (const kind of KINDS) {
    it(`G1: every ${kind} place names an entry the shape allows`, () => {
      for (const p of PLACES[kind].places) {
        const place = sample(p.at);
        const parent = shapeAt(kind, place.slice(0, -1));
        // A `**` place is a whole root: its root must exist.
        if (p.at.at(-1) === '**') expect(Object.hasOwn(SHAPE[kind], p.at[0]!), p.at.join('.')).toBe(true);
        else {
          expect(parent?.kind, p.at.join('.')).toBe('map');
          // `*` last: any entry of the map (an id, or any of its fields); else that very field.
          if (p.at.at(-1) !== '*') {
            const field = fieldAt(parent as Extract<typeof parent, { kind: 'map' }>, place.at(-1)!);
            expect(field, p.at.join('.')).not.toBeNull();
          }
        }
      }
    });

    it(`G5: the counted root of ${kind} has its entry rule`, () => {
      const { root } = PLACES[kind].counted;
      expect(Object.hasOwn(SHAPE[kind], root)).toBe(true);
      expect(placeOf(kind, [root], 'id1')?.rule).toMatch(/^(note|entry)$/);
    });

    it(`G2: no two ${kind} places overlap, so their order does not matter`, () => {
      const places: readonly Place[] = PLACES[kind].places;
      for (let i = 0; i < places.length; i++)
        for (let j = i + 1; j < places.length; j++)
          expect(overlap(places[i]!.at, places[j]!.at), `${places[i]!.at} / ${places[j]!.at}`).toBe(false);
    });
  }
});

describe('G2, G3: placeOf finds the rule of an entry', () => {
  const cases: [DocKind, string[], string, string | null][] = [
    ['board', ['notes'], 'n1', 'note'],
    ['board', ['notes', 'n1'], 'createdAt', 'note-field'],
    ['board', ['notes', 'n1', 'votes'], 'ali', 'vote'],
    ['board', ['groups', 'g1', 'votes'], 'ali', 'vote'],
    ['board', ['groups'], 'g1', 'group'],
    ['board', ['groups', 'g1'], 'x', 'group-field'],
    ['board', ['roster'], 'u1', 'server-only'],
    ['board', ['roster', 'u1'], 'role', 'server-only'],
    ['board', ['info', 'privateCounts'], 'u1', 'server-only'],
    ['board', ['questions', 'q1', 'votes'], 'u1', 'server-only'],
    ['mine', ['notes'], 'n1', 'note'],
    ['mine', ['roster'], 'u1', null],
    ['tasks', ['tasks'], 't1', 'entry'],
    ['tasks', ['tasks', 't1'], 'createdBy', 'task-creator'],
    ['tasks', ['tasks', 't1'], 'owner', null],
    ['agenda', ['items'], 'i1', 'entry'],
    ['agenda', ['live'], 'votingOpen', null],
    ['agenda', ['timeline'], 'i1', 'organizer-only'],
    ['board', [], 'notes', null],
  ];
  for (const [kind, path, key, rule] of cases)
    it(`G2: ${kind} ${[...path, key].join('.')} → ${rule ?? 'shape only'}`, () =>
      expect(placeOf(kind, path, key)?.rule ?? null).toBe(rule));

  it('G2: ** needs at least one key under its root; * exactly one', () => {
    expect(matchesPlace(['roster', '**'], [], 'roster')).toBe(false);
    expect(matchesPlace(['roster', '**'], ['roster', 'a', 'b'], 'c')).toBe(true);
    expect(matchesPlace(['notes', '*'], ['notes', 'n1'], 'x')).toBe(false);
  });
});
