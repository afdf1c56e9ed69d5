import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { replaceItems, setMeta } from '$shared/ops/agenda';
import { addNote } from '$shared/ops/board';
import { localOrigin, readAgenda } from '$shared/schema';
import { fakeSession } from '../../../../tests/helpers/fake-session';
import { AgendaState, announce, describeImportChanges } from './agenda.svelte';

const org = localOrigin('setup');

function seed(doc: Y.Doc): string[] {
  setMeta(doc, { title: 'FL workshop', timeZone: 'America/New_York', date: '2023-01-20' }, org);
  return replaceItems(
    doc,
    [
      { start: '10:00', minutes: 15, title: 'Brief intro', kind: 'other' },
      {
        start: '10:30',
        minutes: 20,
        title: 'MedPerf',
        speaker: 'Alexandros Karargyris',
        kind: 'talk',
      },
      { start: '10:50', minutes: 20, title: 'Fed-BioMed', speaker: 'Marco Lorenzi', kind: 'talk' },
    ],
    org,
  );
}

describe('AgendaState', () => {
  it('counts down to the start before the day begins', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-20T14:00:00Z') });
    seed(s.docs.agenda);
    const a = new AgendaState(s, { viewerZone: 'Europe/Paris' });
    const nn = a.nowNext(s.clock.now());
    expect(nn.phase).toBe('before');
    expect(nn.headline).toBe('Starts in 1:00:00');
  });

  it('announces the next speaker with a countdown and shows both zones on every row', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-20T15:45:48Z') }); // 10:45:48 EST
    seed(s.docs.agenda);
    const a = new AgendaState(s, { viewerZone: 'Europe/Paris' });
    const now = s.clock.now();
    expect(a.nowNext(now).headline).toBe('Next: Fed-BioMed — Marco Lorenzi in 4:12');
    const rows = a.rows(now);
    expect(rows.map((r) => r.status)).toEqual(['done', 'current', 'upcoming']);
    expect(rows[1]?.time.label).toBe('10:30 EST · 16:30 CET');
    expect(rows[1]?.remainingMs).toBe(4 * 60_000 + 12_000);
    expect(rows[1]?.progress).toBeCloseTo(0.79, 2);
  });

  it('shows "running 10 min late" with the planned time next to the shifted one after "start now"', () => {
    const s = fakeSession('organizer', { nowMs: Date.parse('2023-01-20T15:40:00Z') });
    const ids = seed(s.docs.agenda);
    const a = new AgendaState(s, { viewerZone: 'America/New_York' });
    a.startNow(ids[1] as string);
    expect(a.error).toBeNull();
    const nn = a.nowNext(s.clock.now());
    expect(nn.delay).toBe('running 10 min late');
    expect(nn.current?.id).toBe(ids[1]);
    const rows = a.rows(s.clock.now());
    expect(rows[2]?.time.label).toBe('11:00 EST');
    expect(rows[2]?.planned?.label).toBe('10:50 EST');
    expect(rows[0]?.planned).toBeNull();
  });

  it('AG7: an item started early and left shows when it really ran, done, after the next one starts early too', () => {
    // 10:32 EST: "MedPerf" (planned 10:30) is on; "Fed-BioMed" (planned 10:50) starts early.
    const s = fakeSession('organizer', { nowMs: Date.parse('2023-01-20T15:32:00Z') });
    const ids = seed(s.docs.agenda);
    const a = new AgendaState(s, { viewerZone: 'America/New_York' });
    a.startNow(ids[2] as string);
    s.setNow(Date.parse('2023-01-20T15:35:00Z'));
    // 10:35: back to the intro's topic (planned 10:00), started again.
    a.startNow(ids[0] as string);
    expect(a.error).toBeNull();
    const rows = a.rows(s.clock.now());
    expect(rows.map((r) => [r.item.title, r.status, r.time.event.time])).toEqual([
      ['Brief intro', 'current', '10:35'],
      ['MedPerf', 'done', '10:30'],
      ['Fed-BioMed', 'done', '10:32'],
    ]);
    expect(rows[2]?.planned?.event.time).toBe('10:50');
    expect(readAgenda(s.docs.agenda).timeline?.[ids[1] as string]).toEqual({
      start: Date.parse('2023-01-20T15:30:00Z'),
      end: Date.parse('2023-01-20T15:32:00Z'),
    });
  });

  it('names the date and time instead of a countdown when the day is more than a day away', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-10T12:00:00Z') });
    seed(s.docs.agenda);
    const a = new AgendaState(s, { viewerZone: 'Europe/Paris' });
    expect(a.nowNext(s.clock.now()).headline).toBe('Starts 2023-01-20 at 10:00 EST · 16:00 CET');
  });

  it('says the date is to be announced for an undated agenda with no item started', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-20T15:00:00Z') });
    seed(s.docs.agenda);
    setMeta(s.docs.agenda, { date: '' }, org);
    const nn = new AgendaState(s).nowNext(s.clock.now());
    expect(nn.phase).toBe('undated');
    expect(nn.headline).toBe('Date to be announced');
  });

  it('says "Ended" after the last item', () => {
    const s = fakeSession('viewer', { nowMs: Date.parse('2023-01-20T17:00:00Z') });
    seed(s.docs.agenda);
    expect(new AgendaState(s).nowNext(s.clock.now()).headline).toBe('Ended');
  });

  it('refuses agenda changes from a participant with a clear message, leaving the document unchanged', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-20T15:40:00Z') });
    const ids = seed(s.docs.agenda);
    const a = new AgendaState(s);
    a.shift(5);
    a.startNow(ids[0] as string);
    expect(a.error).toMatch(/Only organizers/);
    expect(readAgenda(s.docs.agenda).live.delayMinutes).toBe(0);
  });

  it("reports an organizer's invalid edit instead of throwing", () => {
    const s = fakeSession('organizer', { nowMs: 0 });
    seed(s.docs.agenda);
    const a = new AgendaState(s);
    expect(a.add({ start: '25:00', minutes: 10, title: 'x' })).toBeNull();
    expect(a.error).toMatch(/HH:MM/);
  });

  it('counts the board notes tagged with each item', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    const ids = seed(s.docs.agenda);
    const who = { authorId: 'p1', authorName: 'P' };
    addNote(s.docs.board, { ...who, text: 'a', x: 0, y: 0, itemId: ids[1] ?? null }, org);
    addNote(s.docs.board, { ...who, text: 'b', x: 0, y: 0, itemId: ids[1] ?? null }, org);
    expect(new AgendaState(s).noteCounts[ids[1] as string]).toBe(2);
  });

  it('sends the import with the bearer token in a header, never in the URL, and surfaces the server message', async () => {
    const s = fakeSession('organizer', { nowMs: 0 });
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      return new Response(
        JSON.stringify({
          error: { code: 'no-agenda', message: 'expected a table with a time column' },
        }),
        { status: 422, headers: { 'content-type': 'application/json' } },
      );
    }) as typeof fetch;
    const a = new AgendaState(s, { fetch: fakeFetch });
    await expect(a.importPage('# no table', true)).rejects.toThrow('expected a table with a time column');
    expect(calls[0]?.url).toBe('/api/boards/b0ard/agenda/import');
    expect(calls[0]?.url).not.toContain('secret-token');
    expect(new Headers(calls[0]?.init?.headers).get('authorization')).toBe('Bearer secret-token');
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({
      markdown: '# no table',
      dryRun: true,
      useImportedDate: false,
    });
  });

  it('AG6: the import preview says what a re-import changes and who loses their talk', () => {
    const base = {
      added: 0,
      changed: 0,
      removed: 0,
      unchanged: 3,
      removedTitles: [],
      notesUntagged: 0,
      tasksUnlinked: 0,
      currentDate: '',
      pageDate: '',
    };
    expect(describeImportChanges({ ...base, changed: 2, removed: 1, notesUntagged: 7 })).toBe(
      '2 items changed, 1 removed: 7 notes will lose their talk tag',
    );
    expect(describeImportChanges({ ...base, added: 1, removed: 1, tasksUnlinked: 1 })).toBe(
      '1 item added, 1 removed: 1 task will lose their talk',
    );
    expect(describeImportChanges({ ...base, removed: 1 })).toBe('1 item removed.');
    expect(describeImportChanges(base)).toBe('No changes to the items.');
  });

  it('announces the next item by title and speaker', () => {
    expect(announce({ title: 'Fed-BioMed', speaker: 'Marco Lorenzi' })).toBe('Fed-BioMed — Marco Lorenzi');
    expect(announce({ title: 'Talk by Marco Lorenzi', speaker: 'Marco Lorenzi' })).toBe(
      'Talk by Marco Lorenzi',
    );
    expect(announce({ title: '', speaker: 'Marco Lorenzi' })).toBe('Marco Lorenzi');
    expect(announce({ title: 'Coffee Break', speaker: '' })).toBe('Coffee Break');
  });

  it('NB9: "Start this item now" on a past-dated agenda says why in that item\'s row; panel errors stay in the panel', () => {
    const s = fakeSession('organizer', { nowMs: Date.parse('2026-11-29T10:00:00Z') });
    const ids = seed(s.docs.agenda);
    const a = new AgendaState(s);
    a.startNow(ids[2] as string);
    expect(a.error).toMatch(/more than a day from now: set the event date/);
    expect(a.errorItemId).toBe(ids[2]);
    a.shift(0);
    expect(a.error).toMatch(/non-zero/);
    expect(a.errorItemId).toBeNull();
    a.shift(5);
    expect(a.error).toBeNull();
  });
});
