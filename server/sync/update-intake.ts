import * as Y from 'yjs';
import type { Denial } from '../../shared/protocol';
import type { Origin } from '../../shared/schema';
import type { AckFn, Connection } from './connection';
import { ProtocolError, type ReadFrame } from './frame';
import { checkUpdate, ClientIds, type VoteReport } from './gate';
import type { Room } from './room';

/**
 * A client's document update on its way in: write rights (P1–P3), the rule
 * gate (G1–G5), the cluster's vote budget (R6), then applied to the document
 * (the room's outbox stores and sends it). The frame was read once by the sync
 * core; the update's bytes go to the gate and to Yjs as they are.
 */
export class UpdateIntake {
  /** Who writes under which Yjs client id (rule G4). */
  private readonly clientIds = new ClientIds<Connection>();

  constructor(private readonly room: Room) {}

  release(conn: Connection): void {
    this.clientIds.release(conn);
  }

  receive(conn: Connection, origin: Origin, msg: ReadFrame, ack?: AckFn): Promise<void> | void {
    const { opts } = this.room;
    const update = msg.payload;
    const denial = opts.rights.checkWrite(conn);
    if (denial) {
      // What every read-only client answers to sync step 1 when it has nothing new is no write.
      if (msg.update) {
        conn.deny(denial);
        ack?.({ ok: false, error: denial.reason });
      } else ack?.({ ok: true });
      return;
    }
    if (msg.update) {
      const votes: VoteReport | undefined = opts.voteBudget ? { delta: 0, targets: new Map() } : undefined;
      const refusal = this.gate(conn, update, votes);
      // Bytes that are no update at all close the connection, as any malformed message (I1).
      if (refusal?.code === 'malformed') throw new ProtocolError(refusal.reason);
      if (refusal) {
        conn.deny(refusal);
        ack?.({ ok: false, error: refusal.reason });
        return;
      }
      if (votes && votes.delta > 0) return this.withVoteBudget(conn, origin, update, votes, ack);
      this.apply(conn, origin, update);
    }
    this.room.acked(ack);
  }

  private apply(conn: Connection, origin: Origin, update: Uint8Array): void {
    const { doc, documentLog } = this.room;
    Y.applyUpdate(doc, update, origin);
    documentLog.docBytes += update.byteLength;
    documentLog.dropPending(doc, `update from ${conn.id}`);
  }

  /**
   * R6: votes the gate accepted here are applied only once the cluster agrees
   * that the person stays within the limit; checked again here afterwards (the
   * document may have moved meanwhile), and given back when refused then.
   */
  private async withVoteBudget(
    conn: Connection,
    origin: Origin,
    update: Uint8Array,
    votes: VoteReport,
    ack?: AckFn,
  ): Promise<void> {
    const room = this.room;
    const budget = room.opts.voteBudget!;
    const limit = room.opts.rights.live()?.votesPerPerson ?? 0;
    const boardId = room.name.slice(0, room.name.lastIndexOf('/'));
    const { userId } = conn.peer;
    const ok = await budget.reserve(boardId, userId, limit, room.doc, votes);
    if (room.destroyed || !room.connections.has(conn)) {
      if (ok) await budget.release(boardId, userId, votes);
      return;
    }
    const refusal: Denial | null = ok
      ? this.gate(conn, update)
      : { doc: room.kind, code: 'no-votes-left', reason: `all ${limit} votes are used` };
    if (refusal) {
      if (ok) await budget.release(boardId, userId, votes);
      conn.deny(refusal);
      ack?.({ ok: false, error: refusal.reason });
      return;
    }
    this.apply(conn, origin, update);
    room.acked(ack);
  }

  /** The rule gate (G1–G5): null when the update may be applied. */
  private gate(conn: Connection, update: Uint8Array, votes?: VoteReport): Denial | null {
    const { opts, kind, doc, name, log } = this.room;
    try {
      const refusal = checkUpdate(
        {
          ...(votes ? { votes } : {}),
          kind,
          doc,
          conn,
          actor: conn.peer,
          live: opts.rights.live(),
          ...(opts.rights.privateWriting ? { privateWriting: opts.rights.privateWriting() } : {}),
          limits: opts.limits,
          clientIds: this.clientIds,
          docBytes: this.room.documentLog.docBytes,
        },
        update,
      );
      if (refusal === null) return null;
      log.info({ doc: name, conn: conn.id, code: refusal.code }, 'update refused');
      return { doc: kind, ...refusal };
    } catch (e) {
      // A fault of the gate itself: refuse rather than apply something unchecked.
      log.error({ err: e, doc: name, conn: conn.id }, 'rule gate failed; update refused');
      return { doc: kind, code: 'malformed', reason: 'the update could not be checked' };
    }
  }
}
