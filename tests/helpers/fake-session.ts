import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { BoardSessionApi } from '../../client/src/lib/sync/types';
import type { SessionInfo } from '../../shared/protocol';
import { writeDenial, type Actor } from '../../shared/policy';
import { DOC_KINDS, isBoardLocked, type DocKind, type Role } from '../../shared/schema';

/**
 * A `BoardSessionApi` over real Y.Docs and Awareness with a settable server
 * clock and no network, for testing the feature state classes (*.svelte.ts).
 * Write rights come from shared/policy (`writeDenial`: role rights and the
 * board lock), like the real session's.
 */
export function fakeSession(
  role: Role,
  {
    nowMs = 0,
    user,
    issued = true,
    pseudonym,
  }: {
    nowMs?: number;
    user?: { id: string; name: string };
    /** False: an identity for this connection only (may not vote). */
    issued?: boolean;
    pseudonym?: string;
  } = {},
): BoardSessionApi & { setNow(ms: number): void } {
  let now = nowMs;
  const docs = Object.fromEntries(DOC_KINDS.map((k) => [k, new Y.Doc()])) as Record<DocKind, Y.Doc>;
  const awareness = Object.fromEntries(DOC_KINDS.map((k) => [k, new Awareness(docs[k])])) as Record<
    DocKind,
    Awareness
  >;
  const me = { ...(user ?? { id: `${role}-1`, name: role }), color: '#123456' };
  const info: SessionInfo = {
    boardId: 'b0ard',
    title: 'Board',
    role,
    userId: me.id,
    name: me.name,
    pseudonym: pseudonym ?? `pseudo-${me.id}`,
    issued,
    writable: DOC_KINDS.filter((k) => writeDenial(role, k, { boardLocked: false }) === null),
  };
  const actor: Actor = { role, userId: me.id, pseudonym: info.pseudonym, issued };
  const denial = (doc: DocKind) => writeDenial(role, doc, { boardLocked: isBoardLocked(docs.agenda) });
  return {
    boardId: 'b0ard',
    user: me,
    docs,
    awareness,
    info,
    role,
    title: 'Board',
    connection: 'saved',
    unsynced: 0,
    synced: true,
    lastDenial: null,
    generation: 0,
    actor,
    clock: { now: () => now, offsetMs: 0, rttMs: 5 },
    writeDenial: denial,
    canWrite: (doc: DocKind) => denial(doc) === null,
    token: 'secret-token',
    onQuestions: () => () => {},
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
