import { describe, expect, it } from 'vitest';
import { stem, suggestGroups, terms, SUGGEST_LIMITS } from '../../server/groups/suggest';
import { threeTopicNotes, TOPICS } from '../fixtures/notes/three-topics';

describe('suggested groups (TF-IDF, cosine, average linkage)', () => {
  it('GR4: notes from three clearly different topics: each topic together, nothing mixed, loners alone', () => {
    const notes = threeTopicNotes();
    const groups = suggestGroups(notes);
    const topicOf = new Map(notes.map((n) => [n.id, n.topic]));
    // Every group holds one topic only.
    for (const g of groups) expect(new Set(g.noteIds.map((id) => topicOf.get(id))).size).toBe(1);
    // Each topic ends up in exactly one group, whole.
    for (const topic of Object.keys(TOPICS)) {
      const holding = groups.filter((g) => g.noteIds.some((id) => topicOf.get(id) === topic));
      expect(holding, topic).toHaveLength(1);
      expect(holding[0]!.noteIds.sort()).toEqual(
        notes
          .filter((n) => n.topic === topic)
          .map((n) => n.id)
          .sort(),
      );
    }
    expect(groups).toHaveLength(3);
    // The two notes that fit nowhere stay alone.
    expect(groups.flatMap((g) => g.noteIds)).not.toContain('loner-0');
    expect(groups.flatMap((g) => g.noteIds)).not.toContain('loner-1');
  });

  it('GR4: each group is titled by its most telling words', () => {
    const notes = threeTopicNotes();
    const groups = suggestGroups(notes);
    const titleFor = (topic: string) =>
      groups.find((g) => g.noteIds.some((id) => id.startsWith(topic)))!.title.toLowerCase();
    expect(titleFor('coffee')).toMatch(/coffee|espresso/);
    expect(titleFor('deploy')).toMatch(/cluster|deployment/);
    expect(titleFor('hiring')).toMatch(/candidate|interview|hiring/);
    for (const g of groups) {
      expect(g.title.length).toBeGreaterThan(0);
      expect(g.title.split(', ').length).toBeLessThanOrEqual(SUGGEST_LIMITS.titleWords);
    }
  });

  it('is deterministic and does not depend on the order of words in the list of notes', () => {
    const notes = threeTopicNotes();
    expect(suggestGroups(notes)).toEqual(suggestGroups(notes));
    const reversed = suggestGroups([...notes].reverse());
    const asSets = (gs: { noteIds: string[] }[]) => gs.map((g) => [...g.noteIds].sort().join(',')).sort();
    expect(asSets(reversed)).toEqual(asSets(suggestGroups(notes)));
  });

  it('stop words, numbers and plurals: only telling terms count', () => {
    expect(terms('The sensors and the Sensor: 42 of them!').map((t) => t.stem)).toEqual(['sensor', 'sensor']);
    expect(stem('deployments')).toBe('deployment');
    expect(stem('policies')).toBe('policy');
    expect(stem('class')).toBe('class');
  });

  it('empty, wordless and single notes make no group; a board over the limit is cut, not refused', () => {
    expect(suggestGroups([])).toEqual([]);
    expect(
      suggestGroups([
        { id: 'a', text: 'the and of' },
        { id: 'b', text: '' },
      ]),
    ).toEqual([]);
    expect(suggestGroups([{ id: 'a', text: 'coffee machine' }])).toEqual([]);
    const many = Array.from({ length: SUGGEST_LIMITS.maxNotes + 50 }, (_, i) => ({
      id: `n${i}`,
      text: i % 2 ? `coffee espresso beans ${i}` : `cluster deployment kubernetes ${i}`,
    }));
    const groups = suggestGroups(many);
    expect(groups.flatMap((g) => g.noteIds).length).toBeLessThanOrEqual(SUGGEST_LIMITS.maxNotes);
    expect(groups).toHaveLength(2);
  });
});
