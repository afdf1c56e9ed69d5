import { randomUUID } from 'node:crypto';
import type * as Y from 'yjs';

/**
 * A name for "this document as it is now", for caches of results computed
 * from it (server/work/results.ts): an id per loaded document plus a count of
 * its updates. Every change to a Y.Doc, whoever makes it (a client, the
 * server, a relay, a load), fires its 'update' event, so an unchanged count
 * means unchanged content. A state vector alone would miss deletions, and
 * encoding the delete set costs a walk over the whole document; counting is
 * free. A reloaded document is a new Y.Doc and so gets a new id.
 */
const versions = new WeakMap<Y.Doc, { id: string; updates: number }>();

export function docVersion(doc: Y.Doc): string {
  let v = versions.get(doc);
  if (!v) {
    const entry = { id: randomUUID(), updates: 0 };
    doc.on('update', () => entry.updates++);
    versions.set(doc, entry);
    v = entry;
  }
  return `${v.id}:${v.updates}`;
}
