import { replaceItems, setMeta } from '../../shared/ops/agenda';
import { serverOrigin } from '../../shared/schema';
import type { RunningServer } from '../app';
import { demoMarkdown } from '../demo';
import { boardUrls, createBoard } from '../http/boards';
import { parseAgendaPage } from '../import/markdown-agenda';

/**
 * On an empty database, create a board from the demo workshop page so that a
 * newcomer sees a real agenda at once. Returns its links, or null when boards exist.
 */
export async function createDemoBoardIfEmpty(server: RunningServer, origin: string) {
  if ((await server.store.countBoards()) > 0) return null;
  const page = parseAgendaPage(demoMarkdown());
  const title = page.meta.title || 'Demo workshop';
  const { record, tokens } = await createBoard(server.store, title);
  const origin_ = serverOrigin('demo');
  await server.docs.change(record.id, 'agenda', 'demo', (doc) => {
    setMeta(doc, page.meta, origin_);
    replaceItems(doc, page.items, origin_);
  });
  return { title, urls: boardUrls(origin, record.id, tokens) };
}
