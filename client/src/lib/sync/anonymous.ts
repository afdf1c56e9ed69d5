import * as Y from 'yjs';

/**
 * Writes made for an anonymous note (SPEC NB1) go under a Yjs client id of
 * their own: every struct a Yjs update carries names the client id that wrote
 * it, so a note created under the same id as this person's votes, named notes
 * or tasks could be traced to them by anyone who reads the updates.
 */
export function newWriterId(): number {
  // Yjs client ids are unsigned 32-bit numbers (random.uint32 in Yjs).
  return crypto.getRandomValues(new Uint32Array(1))[0] as number;
}

/**
 * Runs `fn` (which makes its own `doc.transact`) with `doc.clientID` set to
 * `writerId`, then restores it. Synchronous: no remote update can interleave.
 */
export function withWriter<T>(doc: Y.Doc, writerId: number | undefined, fn: () => T): T {
  if (writerId === undefined || writerId === doc.clientID) return fn();
  const own = doc.clientID;
  doc.clientID = writerId;
  try {
    return fn();
  } finally {
    doc.clientID = own;
  }
}
