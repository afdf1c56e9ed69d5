/**
 * The rule gate: every update from a connection passes here before it is
 * applied, stored or relayed (docs/SPEC.md G1–G5). It reads the update's
 * structs against the server's document without applying anything; an update
 * that breaks a rule is refused whole.
 */
import * as Y from 'yjs';
import type { Denial } from '../../../shared/protocol';
import { UPDATE_LIMITS, type Actor, type BoardLimits } from '../../../shared/policy';
import { SHAPE } from '../../../shared/schema/shape';
import type { DocKind, LiveState } from '../../../shared/schema';
import { checkRules, type VoteReport } from './rules';

export type { VoteReport } from './rules';
import { placeItems, Refusal, refuse, UpdateIndex } from './structure';

export { Refusal } from './structure';

/**
 * Which connection writes under which Yjs client id (G4). An id belongs to the
 * person who first wrote under it while the document is loaded; a reconnecting
 * tab of the same person continues it. Per-connection identities (not issued)
 * cannot prove they are the same person again, so their ids are free once
 * their connection closed.
 */
export class ClientIds<C> {
  private readonly owners = new Map<number, { userId: string; issued: boolean; conn: C | null }>();
  private readonly perConn = new Map<C, Set<number>>();

  /**
   * Null when `conn` may write under every id in `clients`, else why not.
   * Nothing is claimed until `commit` (a refused update claims nothing).
   */
  check(
    conn: C,
    actor: Pick<Actor, 'userId' | 'issued'>,
    clients: readonly number[],
    serverId: number,
  ): string | null {
    const mine = this.perConn.get(conn) ?? new Set<number>();
    const claims: number[] = [];
    for (const c of clients) {
      if (mine.has(c)) continue;
      if (c === serverId) return 'that client id is the server’s own';
      const o = this.owners.get(c);
      if (o && o.conn !== null && o.conn !== conn) return 'another connection writes under that client id';
      if (o && o.issued && o.userId !== actor.userId) return 'that client id belongs to someone else';
      claims.push(c);
    }
    if (mine.size + claims.length > UPDATE_LIMITS.clientIdsPerConnection)
      return `a connection writes under at most ${UPDATE_LIMITS.clientIdsPerConnection} client ids`;
    return null;
  }

  commit(conn: C, actor: Pick<Actor, 'userId' | 'issued'>, clients: readonly number[]): void {
    let mine = this.perConn.get(conn);
    if (!mine) this.perConn.set(conn, (mine = new Set()));
    for (const c of clients) {
      if (mine.has(c)) continue;
      mine.add(c);
      this.owners.set(c, { userId: actor.userId, issued: actor.issued, conn });
    }
  }

  release(conn: C): void {
    for (const c of this.perConn.get(conn) ?? []) {
      const o = this.owners.get(c);
      if (o && o.conn === conn) o.conn = null;
    }
    this.perConn.delete(conn);
  }
}

export interface GateInput<C> {
  kind: DocKind;
  doc: Y.Doc;
  conn: C;
  actor: Actor & { name: string };
  live: LiveState | null;
  limits: BoardLimits;
  clientIds: ClientIds<C>;
  /** Current stored size of the document, for the per-document byte limit. */
  docBytes: number;
  /** Filled with what the update does to the sender's votes, when it changes them (R6). */
  votes?: VoteReport;
  /** A private notes document: whether its board is in private writing now (PW1). */
  privateWriting?: boolean;
}

/** Null when `update` may be applied for `input.actor`, else why not. */
export function checkUpdate<C>(input: GateInput<C>, update: Uint8Array): Omit<Denial, 'doc'> | null {
  const { kind, doc } = input;
  try {
    if (input.docBytes + update.byteLength > input.limits.docBytes)
      refuse('board-full', `this board is full: a document holds at most ${input.limits.docBytes} bytes`);
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(update);
    } catch (e) {
      // lib0 reads JSON-like content recursively: only content nested far deeper
      // than any value of the schema exhausts the stack.
      if (e instanceof RangeError && /call stack/i.test(e.message))
        return refuse('schema', 'content nested deeper than the schema');
      return refuse('malformed', 'the update cannot be decoded');
    }
    if (decoded.structs.length > UPDATE_LIMITS.structs)
      refuse('too-large', `more than ${UPDATE_LIMITS.structs} changes in one update`);
    const index = new UpdateIndex(decoded.structs, doc.store);
    const clients = index.freshClients();
    if (clients.length > 0) {
      const why = input.clientIds.check(input.conn, input.actor, clients, doc.clientID);
      if (why) refuse('client-id', why);
    }
    const roots = SHAPE[kind];
    const placements = placeItems(doc, index, (name) => Object.hasOwn(roots, name));
    checkRules(input, index, placements, decoded.ds);
    input.clientIds.commit(input.conn, input.actor, clients);
    return null;
  } catch (e) {
    // Anything else is a fault of ours: the caller logs it and refuses the update.
    if (e instanceof Refusal) return { code: e.code, reason: e.message };
    throw e;
  }
}
