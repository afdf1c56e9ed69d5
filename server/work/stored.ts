import type { DocKind } from '../../shared/schema';
import type { DocStore } from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';
import { docVersion } from './doc-version';

/**
 * A board's documents as the worker pool gets them (HV1): the updates the
 * store holds, read after everything the live room applied so far is stored.
 * Encoding a full live document (`Y.encodeStateAsUpdate`) costs the event
 * loop 0.3–1.4 s for a board at its limits; reading its stored updates costs
 * a copy. Each document's version is the one it had when that wait began,
 * so the bytes hold at least that version's content.
 */
export async function storedUpdates(
  docs: DocAccess,
  store: Pick<DocStore, 'load'>,
  boardId: string,
  kinds: readonly DocKind[],
): Promise<{ updates: Uint8Array[][]; versions: string[] }> {
  const versions = await Promise.all(
    kinds.map(async (kind) => {
      let version = '';
      // A change that changes nothing: it resolves once everything before it is stored.
      await docs.change(boardId, kind, 'read for heavy work', (d) => {
        version = docVersion(d);
      });
      return version;
    }),
  );
  const loaded = await Promise.all(kinds.map((kind) => store.load(`${boardId}/${kind}`)));
  return { updates: loaded.map((l) => l.updates), versions };
}
