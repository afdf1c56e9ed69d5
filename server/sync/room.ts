import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CLOSE, MESSAGE } from '../../shared/protocol';
import { syncStep1Frame } from '../../shared/protocol/frames';
import type { BoardLimits } from '../../shared/policy';
import { isOrigin, RELAY_ORIGIN, type DocKind, type Origin } from '../../shared/schema';
import type { Logger } from '../log';
import type { DocStore } from '../persistence/store';
import type { AckFn, Connection } from './connection';
import { DocumentLog } from './document-log';
import { ProtocolError, readFrame, type ReadFrame } from './frame';
import { runHooks, type DocumentHooks } from './doc-hooks';
import { JoinCache } from './join-cache';
import { Outbox } from './outbox';
import type { DocumentRights } from './rights';
import { RoomPresence } from './room-presence';
import { UpdateIntake } from './update-intake';
import type { VoteBudget } from './vote-budget';

export { ProtocolError } from './frame';

export interface RoomOptions {
  /** `<boardId>/<doc>` */
  name: string;
  kind: DocKind;
  store: DocStore;
  log: Logger;
  tickMs: number;
  awarenessTickMs: number;
  compactAfterUpdates: number;
  /** Write rights, the board lock, the live state and the private writing phase (P1–P3, PW1). */
  rights: DocumentRights;
  limits: BoardLimits;
  /** Board documents with several instances: the cluster's check of a person's votes (R6). */
  voteBudget?: VoteBudget;
  /** The features attached to this document (relay, history, counts, …), run in this order. */
  hooks: DocumentHooks[];
  /** Called once when the room failed (G6): it is closed and must be forgotten. */
  onFailure(room: Room): void;
}

const EMPTY_STATE_VECTOR = new Uint8Array([0]);

/**
 * One Yjs document in memory and the connections that sync it. The room keeps
 * its members and its document; storing then broadcasting (`Outbox`), presence
 * (`RoomPresence`), the fresh clients' state (`JoinCache`), the stored log
 * (`DocumentLog`) and the rule gate's call (`UpdateIntake`) are modules of their
 * own, and features attach through `DocumentHooks`.
 *
 * Rules (docs/SPEC.md): every accepted update is stored before any client
 * receives it (S1); updates and awareness are coalesced per tick into one
 * frame per receiver (S4); a connection without write rights never changes the
 * document (P2); each connection owns the awareness entries it created (A1).
 */
export class Room {
  readonly doc = new Y.Doc();
  /** The members, and the origin their changes carry. */
  readonly connections = new Map<Connection, Origin>();
  private readonly connByOrigin = new Map<Origin, Connection>();
  readonly presence: RoomPresence;
  readonly documentLog: DocumentLog;
  readonly joinCache = new JoinCache(this.doc);
  private readonly outbox: Outbox;
  private readonly intake: UpdateIntake;
  destroyed = false;

  private constructor(readonly opts: RoomOptions) {
    this.documentLog = new DocumentLog(opts);
    this.outbox = new Outbox(this);
    this.intake = new UpdateIntake(this);
    this.presence = new RoomPresence(this.doc, {
      name: opts.name,
      log: opts.log,
      tickMs: opts.awarenessTickMs,
      members: () => this.connections.keys(),
      publish: (update) => runHooks(opts.hooks, 'afterPresence', opts.log, this, update),
    });
    this.doc.on('update', this.onDocUpdate);
  }

  get name(): string {
    return this.opts.name;
  }
  get kind(): DocKind {
    return this.opts.kind;
  }
  get log(): Logger {
    return this.opts.log;
  }
  get tickMs(): number {
    return this.opts.tickMs;
  }
  get awareness(): RoomPresence['awareness'] {
    return this.presence.awareness;
  }
  /** Nothing accepted here waits to be stored. */
  get settled(): boolean {
    return this.outbox.settled;
  }

  /** Load a document from the store. Throws when the store fails; nothing is left running then. */
  static async load(opts: RoomOptions): Promise<Room> {
    const room = new Room(opts);
    try {
      for (const h of opts.hooks) await h.beforeLoad?.(room);
      await room.documentLog.load(room.doc);
      runHooks(opts.hooks, 'onLoad', opts.log, room);
      return room;
    } catch (e) {
      room.destroyNow();
      throw e;
    }
  }

  // ---- members -------------------------------------------------------------

  join(conn: Connection): void {
    if (this.destroyed) {
      conn.close(CLOSE.roomFailed, 'the document failed on the server; reconnect');
      return;
    }
    const origin: Origin = { kind: 'remote', connectionId: conn.id };
    this.connections.set(conn, origin);
    this.connByOrigin.set(origin, conn);
    // Ask writers for what they have that we lack; readers' state is never wanted.
    if (this.opts.rights.checkWrite(conn) === null) conn.send(syncStep1Frame(this.doc));
    this.presence.join(conn);
    runHooks(this.opts.hooks, 'onJoin', this.log, this, conn);
  }

  leave(conn: Connection): void {
    const origin = this.connections.get(conn);
    if (!origin) return;
    this.connections.delete(conn);
    this.connByOrigin.delete(origin);
    this.intake.release(conn);
    this.presence.leave(conn);
    runHooks(this.opts.hooks, 'onLeave', this.log, this, conn);
  }

  /** Send `conn` the whole document once what is pending is stored, as after an empty sync step 1. */
  sendState(conn: Connection): void {
    if (this.connections.has(conn)) this.outbox.reply(conn, EMPTY_STATE_VECTOR);
  }

  // ---- incoming messages ---------------------------------------------------

  /**
   * Handle one y-protocols frame from `conn` (`read`: the frame as the sync
   * core already read it). Throws ProtocolError for bytes that are not a valid
   * message; the transport then closes that connection. A promise when an
   * update waits for the cluster's vote budget (R6): the sender's next frames wait too.
   */
  receive(conn: Connection, frame: Uint8Array, ack?: AckFn, read?: ReadFrame): Promise<void> | void {
    const origin = this.connections.get(conn);
    if (!origin) return;
    const msg = read ?? readFrame(frame);
    try {
      switch (msg.type) {
        case MESSAGE.sync:
          if (msg.syncType === syncProtocol.messageYjsSyncStep1) {
            // Validate now, answer once everything applied so far is stored.
            Y.decodeStateVector(msg.payload);
            this.outbox.reply(conn, msg.payload);
            return;
          }
          return this.intake.receive(conn, origin, msg, ack);
        case MESSAGE.awareness:
          this.presence.receive(conn, msg.payload);
          ack?.({ ok: true });
          return;
        case MESSAGE.queryAwareness:
          this.presence.query(conn);
          return;
        default:
          // Clients have nothing to say in the auth sub-protocol.
          return;
      }
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new ProtocolError(`malformed message: ${(e as Error).message}`);
    }
  }

  /** An accepted update's acknowledgement: sent once it is stored and broadcast. */
  acked(ack: AckFn | undefined): void {
    if (ack) this.outbox.ack(ack);
  }

  /** An update from another instance: already stored there, broadcast here. */
  applyRelayed(update: Uint8Array): void {
    try {
      Y.applyUpdate(this.doc, update, RELAY_ORIGIN);
    } catch (e) {
      this.log.error({ err: e, doc: this.name }, 'relayed update rejected');
    }
  }

  // ---- server-side changes (HTTP routes, roster) ---------------------------

  /** Apply a change as the server; resolves once it is stored and sent. */
  change(reason: string, fn: (doc: Y.Doc) => void): Promise<void> {
    this.doc.transact(() => fn(this.doc), { kind: 'server', reason } satisfies Origin);
    return this.whenStored();
  }

  /** Resolves after everything applied so far has been stored and broadcast. */
  whenStored(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(new Error(`${this.name} is unloaded`));
      this.outbox.waiter((err) => (err ? reject(err) : resolve()));
    });
  }

  // ---- outgoing ------------------------------------------------------------

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.joinCache.follow(update);
    if (!isOrigin(origin) || origin.kind === 'persistence') return;
    if (origin.kind === 'relay') this.outbox.relayed(update);
    else this.outbox.accepted(update, this.connByOrigin.get(origin) ?? null);
  };

  /**
   * Stored, before anyone receives it: the `afterStore` hooks (the relay
   * publishes). Not guarded: a throw here fails the flush, and so the room (G6).
   */
  stored(merged: Uint8Array): void {
    for (const h of this.opts.hooks) h.afterStore?.(this, merged);
  }

  /** Store, then relay and broadcast, what the last tick accepted. */
  flush(): Promise<void> {
    return this.outbox.flush();
  }

  // ---- failure and unloading -----------------------------------------------

  /**
   * Rule G6: an error in this room (encoding a state, a frame) closes this room's
   * connections with 4500 (clients reconnect and resync from what is stored) and
   * unloads it; other rooms never notice. Unacknowledged changes are not lost:
   * clients keep them until the server acknowledges them.
   */
  fail(e: unknown): void {
    if (this.destroyed) return;
    this.log.error({ err: e, doc: this.name }, 'room failed; closing its connections');
    for (const conn of [...this.connections.keys()]) {
      try {
        conn.close(CLOSE.roomFailed, 'the document failed on the server; reconnect');
      } catch (err) {
        this.log.warn({ err, conn: conn.id }, 'closing a connection of a failed room');
      }
    }
    this.connections.clear();
    this.outbox.abandon();
    this.destroyNow();
    this.opts.onFailure(this);
  }

  /** Run `fn` for this room; an unexpected error fails the room instead of the process (G6). */
  guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.fail(e);
      return undefined;
    }
  }

  /** Store what is pending (best effort) and free everything. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    try {
      await this.flush();
    } catch (e) {
      this.log.error({ err: e, doc: this.name }, 'final save failed');
    }
    this.destroyNow();
  }

  private destroyNow(): void {
    this.destroyed = true;
    this.outbox.stop();
    runHooks(this.opts.hooks, 'onUnload', this.log, this);
    this.doc.off('update', this.onDocUpdate);
    this.presence.destroy();
    this.doc.destroy();
  }
}
