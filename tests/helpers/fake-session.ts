import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { BoardSessionApi } from '../../client/src/lib/sync/types';
import { DOC_KINDS, isBoardLocked, roleCanWrite, type DocKind, type Role } from '../../shared/schema';

/**
 * A `BoardSessionApi` over real Y.Docs and Awareness with a settable server
 * clock and no network, for testing the feature state classes (*.svelte.ts).
 * Write rights follow the server's rules, board lock included.
 */
export function fakeSession(
  role: Role,
  { nowMs = 0, user }: { nowMs?: number; user?: { id: string; name: string } } = {},
): BoardSessionApi & { setNow(ms: number): void } {
  let now = nowMs;
  const docs = Object.fromEntries(DOC_KINDS.map((k) => [k, new Y.Doc()])) as Record<DocKind, Y.Doc>;
  const awareness = Object.fromEntries(DOC_KINDS.map((k) => [k, new Awareness(docs[k])])) as Record<
    DocKind,
    Awareness
  >;
  return {
    boardId: 'b0ard',
    user: { ...(user ?? { id: `${role}-1`, name: role }), color: '#123456' },
    docs,
    awareness,
    info: null,
    role,
    title: 'Board',
    connection: 'saved',
    unsynced: 0,
    synced: true,
    lastDenial: null,
    clock: { now: () => now, offsetMs: 0, rttMs: 5 },
    canWrite: (doc: DocKind) =>
      roleCanWrite(role, doc) && !(doc === 'board' && role === 'participant' && isBoardLocked(docs.agenda)),
    token: 'secret-token',
    destroy: () => {
      for (const k of DOC_KINDS) {
        awareness[k].destroy();
        docs[k].destroy();
      }
    },
    setNow(ms: number) {
      now = ms;
    },
  };
}
