import { describe, expect, it } from 'vitest';
import { addItem, setMeta, startItemNow } from '../../shared/ops/agenda';
import { agendaTimeline, localOrigin, readAgenda, serverOrigin } from '../../shared/schema';
import { wallTimeToMs } from '../../shared/time/schedule';
import { SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * When agenda items really ran (docs/SPEC.md AG7) through a real server: the
 * organizer's client starts two items early, the server stores the runs, and
 * the minutes it exports list the day in order with the real times. A
 * participant's write of a run never reaches the document.
 */

const ZONE = 'Europe/Berlin';
const DATE = '2026-05-12';
const at = (hhmm: string): number => wallTimeToMs(DATE, hhmm, ZONE);

describe('AG7: the minutes of a day whose items started early (real server)', () => {
  it('AG7: two early starts from the organizer’s client give the minutes in order with real times; a participant cannot write a run', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Timeline');
    const setup = serverOrigin('test');
    const ids = { stewardship: '', openData: '', coffee: '', closing: '' };
    await server.docs.change(board.id, 'agenda', 'setup', (doc) => {
      setMeta(doc, { title: 'Open science day', timeZone: ZONE, date: DATE }, setup);
      ids.stewardship = addItem(doc, { start: '15:25', minutes: 20, title: 'Data stewardship' }, setup);
      ids.openData = addItem(doc, { start: '15:45', minutes: 20, title: 'Open data in practice' }, setup);
      ids.coffee = addItem(doc, { start: '16:05', minutes: 20, title: 'Coffee break' }, setup);
      ids.closing = addItem(doc, { start: '16:25', minutes: 30, title: 'Closing' }, setup);
    });

    const org = new SioClient(server.url, { board: board.id, token: board.tokens.organizer });
    const pia = new SioClient(server.url, { board: board.id, token: board.tokens.participant });
    await eventually(() => {
      expect(org.synced.size).toBe(3);
      expect(pia.synced.size).toBe(3);
      expect(readAgenda(org.docs.agenda).items).toHaveLength(4);
    });
    const mine = localOrigin(org.session!.userId);
    startItemNow(org.docs.agenda, ids.openData, at('15:32'), mine);
    startItemNow(org.docs.agenda, ids.coffee, at('15:35'), mine);
    await eventually(() => expect(org.acks.filter((a) => a.ok)).toHaveLength(2));

    // A participant's run is refused whole: it never reaches the stored document.
    agendaTimeline(pia.docs.agenda).set(ids.closing, { start: at('15:00'), end: at('15:05') });
    await eventually(() => expect(pia.acks.some((a) => !a.ok)).toBe(true));
    const stored = await server.docs.read(board.id, 'agenda', (d) => readAgenda(d).timeline);
    expect(stored).toEqual({
      [ids.stewardship]: { start: at('15:25'), end: at('15:32') },
      [ids.openData]: { start: at('15:32'), end: at('15:35') },
      [ids.coffee]: { start: at('15:35'), end: null },
    });

    const res = await fetch(`${server.url}/api/boards/${board.id}/export.md`, {
      headers: { authorization: `Bearer ${board.tokens.viewer}` },
    });
    expect(res.status).toBe(200);
    const md = await res.text();
    const rows = md
      .split('\n')
      .filter((l) => /^\| \d\d:\d\d/.test(l))
      .map((l) => l.split('|').map((c) => c.trim())[1] + ' ' + l.split('|').map((c) => c.trim())[2]);
    expect(rows).toEqual([
      '15:25–15:32 Data stewardship',
      '15:32–15:35 (planned 15:45) Open data in practice',
      '15:35–15:55 (planned 16:05) Coffee break',
      '15:55–16:25 (planned 16:25) Closing',
    ]);
  });
});
