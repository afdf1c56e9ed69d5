import { describe, expect, it } from 'vitest';
import { parseSuggestion } from '../groups/suggest.svelte';
import { HistoryState, parseSnapshots, snapshotTime, viewingSentence } from './history.svelte';
import { pngFileName, pngSize, svgDataUrl } from './picture';

describe('history timeline (issue 11)', () => {
  it('HU1: reads the snapshot list defensively, newest first', () => {
    const list = parseSnapshots({
      snapshots: [
        { id: 'a1', label: 'After Opening', createdAt: 1_000, itemId: 'i1', kind: 'talk' },
        { id: 'b2', label: 'Before the break', createdAt: 2_000, itemId: null, kind: 'manual' },
        { id: '__proto__', label: 'bad id', createdAt: 3_000 },
        { id: 'c3', label: 'no time' },
        null,
        { id: 'd4', label: 'x'.repeat(500), createdAt: 4_000, kind: 'weird' },
      ],
    });
    expect(list.map((s) => s.id)).toEqual(['d4', 'b2', 'a1']);
    expect(list[0]).toMatchObject({ kind: 'manual', itemId: null });
    expect(list[0]!.label).toHaveLength(120);
    expect(parseSnapshots({ snapshots: 'nope' })).toEqual([]);
    expect(parseSnapshots(null)).toEqual([]);
  });

  it('HU1: says what is viewed, and the time in the viewer’s zone', () => {
    expect(viewingSentence({ label: 'After talk 2 — Fed-BioMed' })).toBe(
      'Viewing the board after talk 2 — Fed-BioMed',
    );
    expect(viewingSentence({ label: 'Before the break' })).toBe(
      'Viewing the board as saved: “Before the break”',
    );
    const at = Date.parse('2026-11-29T09:30:00Z');
    expect(snapshotTime(at, 'en-GB', 'Europe/Paris')).toContain('10:30');
    expect(snapshotTime(at, 'en-GB', 'America/New_York')).toContain('04:30');
  });

  it('HU1: viewing a snapshot fetches its board.svg with the bearer header; Back to now clears it', async () => {
    const calls: { url: string; auth: string | null }[] = [];
    const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
      if (url.endsWith('/snapshots'))
        return Response.json({
          snapshots: [{ id: 's1', label: 'After talk 2', createdAt: 5, itemId: null, kind: 'talk' }],
        });
      return new Response('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', {
        headers: { 'content-type': 'image/svg+xml' },
      });
    }) as typeof fetch;
    const h = new HistoryState({ boardId: 'b 1', token: 'tok', title: 'T' }, fetcher);
    await h.show();
    expect(h.snapshots.map((s) => s.id)).toEqual(['s1']);
    await h.view(h.snapshots[0]!);
    expect(h.viewing?.id).toBe('s1');
    expect(h.image?.startsWith('data:image/svg+xml')).toBe(true);
    expect(calls.map((c) => c.url)).toEqual([
      '/api/boards/b%201/snapshots',
      '/api/boards/b%201/snapshots/s1/board.svg',
    ]);
    expect(calls.every((c) => c.auth === 'Bearer tok' && !c.url.includes('tok'))).toBe(true);
    h.back();
    expect(h.viewing).toBeNull();
    expect(h.image).toBeNull();
  });

  it('HU2: the PNG is named after the board and sized within bounds; the picture is a data: URL', () => {
    expect(pngFileName('Fed-BioMed Workshop 2026!')).toBe('fed-biomed-workshop-2026-board.png');
    expect(pngFileName('   ')).toBe('board-board.png');
    expect(pngSize(800, 400)).toEqual({ width: 1600, height: 800 });
    expect(pngSize(4096, 1024)).toEqual({ width: 4096, height: 1024 });
    expect(pngSize(0, Number.NaN)).toEqual({ width: 2, height: 2 });
    expect(svgDataUrl('<svg a="#"/>')).toBe('data:image/svg+xml;charset=utf-8,%3Csvg%20a%3D%22%23%22%2F%3E');
  });

  it('GU3: a suggestion is read defensively: two notes a group, a note in one group only', () => {
    const groups = parseSuggestion({
      groups: [
        { title: 'data privacy', noteIds: ['a', 'b', 'a'] },
        { title: 'coffee', noteIds: ['b', 'c'] },
        { title: 'lonely', noteIds: ['d'] },
        { title: 7, noteIds: ['e', 'f'] },
        { title: 'bad ids', noteIds: ['__proto__', 'g', 'h'] },
      ],
    });
    expect(groups.map((g) => [g.title, g.noteIds])).toEqual([
      ['data privacy', ['a', 'b']],
      ['bad ids', ['g', 'h']],
    ]);
    expect(parseSuggestion({})).toEqual([]);
  });
});
