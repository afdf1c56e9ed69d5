import { DateTime } from 'luxon';
import { replaceItems, setMeta } from '../../shared/ops/agenda';
import { serverOrigin } from '../../shared/schema';
import type { RunningServer } from '../app';
import { demoMarkdown } from '../demo';
import { parseAgendaPage } from '../import/markdown-agenda';
import { boardUrls } from './links';

/**
 * On an empty database, create a board from the demo workshop page so that a
 * newcomer sees a real agenda at once, dated today. Returns its links, or null when boards exist.
 */
export async function createDemoBoardIfEmpty(server: RunningServer, origin: string) {
  if ((await server.store.countBoards()) > 0) return null;
  const page = parseAgendaPage(demoMarkdown());
  const title = page.meta.title || 'Demo workshop';
  const { record, tokens } = await server.links.create(title);
  const origin_ = serverOrigin('demo');
  // The demo runs today, so that a newcomer sees "now" and "next" move, not "Ended".
  const today = DateTime.now().setZone(page.meta.timeZone).toISODate() ?? page.meta.date;
  await server.docs.change(record.id, 'agenda', 'demo', (doc) => {
    setMeta(doc, { ...page.meta, date: today }, origin_);
    replaceItems(doc, page.items, origin_);
  });
  return { title, urls: boardUrls(origin, record.id, tokens) };
}
