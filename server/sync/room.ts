import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CLOSE, LIMITS, MESSAGE, type Denial } from '../../shared/protocol';
import {
  awarenessFrame,
  encodeAwarenessEntries,
  syncStep1Frame,
  syncStep2Frame,
  updateFrame,
} from '../../shared/protocol/frames';
import type { BoardLimits } from '../../shared/policy';
import {
  isOrigin,
  PERSISTENCE_ORIGIN,
  serverOrigin,
  RELAY_ORIGIN,
  type DocKind,
  type LiveState,
  type Origin,
} from '../../shared/schema';
import type { Logger } from '../log';
import type { DocStore } from '../persistence/store';
import type { Relay } from '../relay/relay';
import type { AckFn, Connection } from './connection';
import { auditDocument } from './gate/audit';
import { checkUpdate, ClientIds, type VoteReport } from './gate';
import type { VoteBudget } from './vote-budget';
import { RelayCheck } from './relay-check';
import { sanitizeAwarenessState } from './presence';

/** A message the room could not parse: the transport closes the connection (4400). */
export class ProtocolError extends Error {}

export interface RoomOptions {
  /** `<boardId>/<doc>` */
  name: string;
  kind: DocKind;
  store: DocStore;
  relay: Relay;
  log: Logger;
  tickMs: number;
  awarenessTickMs: number;
  compactAfterUpdates: number;
  /** How often instances compare their copies and prove they are alive (R3); 0: never. */
  relayCheckMs: number;
  /** Role rights and the board lock: null when `conn` may write this document now (P1–P3). */
  checkWrite(conn: Connection): Denial | null;
  /** The agenda's live state, for the vote rules of a board document (null elsewhere). */
  live(): LiveState | null;
  /** A private notes document (`mine`): whether its board is in private writing now (PW1). */
  privateWriting?(): boolean;
  limits: BoardLimits;
  /** Board documents with several instances: the cluster's check of a person's votes (R6). */
  voteBudget?: VoteBudget;
  /** Called once when the room failed (G6): it is closed and must be forgotten. */
  onFailure(room: Room): void;
}

/** Updates accepted since the last flush, and what waits for them to be stored. */
interface Batch {
  updates: Uint8Array[];
  /** Connections whose messages produced `updates` (null: server-side change). */
  from: Set<Connection | null>;
  /** Updates from other instances: already stored, broadcast only. */
  relayed: Uint8Array[];
  acks: AckFn[];
  /** Sync step 2 replies owed to clients that sent step 1 (sent once state is stored). */
  replies: { conn: Connection; stateVector: Uint8Array }[];
  /** Called with an error when the batch could not be stored (the room failed). */
  waiters: ((err?: Error) => void)[];
}

/**
 * The full state for fresh clients (empty state vector), encoded once: a sync
 * step 2 frame of the document as it was, then the updates applied since as
 * one update frame. A workshop's joins each add a roster entry: without the
 * tail, every joiner would cost the next one a full encode.
 */
interface FreshState {
  base: Uint8Array;
  since: Uint8Array[];
  sinceBytes: number;
  /** `since` merged into one update frame (null: not built since the last change). */
  tail: Uint8Array | null;
}

const newBatch = (): Batch => ({
  updates: [],
  from: new Set(),
  relayed: [],
  acks: [],
  replies: [],
  waiters: [],
});

const MAX_AWARENESS_IDS_PER_CONNECTION = 4;
const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const SAVE_RETRY_MS = 1000;

/**
 * One Yjs document in memory and the connections that sync it.
 *
 * Rules (docs/SPEC.md): every accepted update is stored before any client
 * receives it (S1); updates and awareness are coalesced per tick into one
 * frame per receiver (S4); a connection without write rights never changes the
 * document (P2); each connection owns the awareness entries it created (A1).
 */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly connections = new Map<Connection, Set<number>>();
  /** Who owns each awareness client id: a local connection, or another instance (its relay id). */
  private readonly awarenessOwners = new Map<number, Connection | string>();
  private readonly origins = new Map<Connection, Origin>();
  private readonly connByOrigin = new Map<Origin, Connection>();
  private pending = newBatch();
  private awarenessChanged = new Set<number>();
  /** Changes made by this instance's connections, to publish to other instances. */
  private awarenessChangedHere = new Set<number>();
  /** The scheduled flush: an immediate when the room was idle, a timer for the rest of a busy tick. */
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private awarenessTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private lastFlushAt = 0;
  private lastSeq = 0;
  private storedEntries = 0;
  private compacting = false;
  private unsubscribeRelay: () => void = () => {};
  private readonly relayCheck: RelayCheck;
  private readonly stopResubscribed: () => void;
  /** Who writes under which Yjs client id (rule G4). */
  private readonly clientIds = new ClientIds<Connection>();
  /** Stored size of the document (its state at load or compaction plus what was accepted since): G5. */
  private docBytes = 0;
  private fresh: FreshState | null = null;
  destroyed = false;

  private constructor(private readonly opts: RoomOptions) {
    // The server has no presence of its own.
    this.awareness.setLocalState(null);
    this.doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    this.relayCheck = new RelayCheck(
      {
        name: opts.name,
        doc: this.doc,
        relay: opts.relay,
        log: opts.log,
        settled: () => this.pending.updates.length === 0 && this.flushing === null,
        // A peer that (re)appears has missed our presence: send it again.
        onPeerSeen: () => this.publishOwnPresence(),
        onPeerGone: (instance) => this.dropPresenceOf(instance),
      },
      opts.relayCheckMs,
    );
    this.stopResubscribed = opts.relay.onResubscribed(() => {
      // We may have missed updates and presence: tell the others what we have.
      this.relayCheck.announce();
      this.publishOwnPresence();
    });
  }

  get name(): string {
    return this.opts.name;
  }

  /** Load a document from the store. Throws when the store fails; nothing is left running then. */
  static async load(opts: RoomOptions): Promise<Room> {
    const room = new Room(opts);
    try {
      // Subscribe before loading: an update another instance stores after our
      // read is then relayed to us (applying one twice is harmless).
      room.unsubscribeRelay = await opts.relay.subscribe(opts.name, (kind, payload, from) => {
        if (room.destroyed) return;
        room.relayCheck.heard(from);
        if (kind === 'update') room.applyRelayed(payload);
        else if (kind === 'awareness') room.applyRelayedAwareness(payload, from);
        else room.relayCheck.receive(from, payload);
      });
      const { updates, lastSeq } = await opts.store.load(opts.name);
      room.applyStored(updates);
      room.lastSeq = lastSeq;
      room.storedEntries = updates.length;
      room.docBytes = Y.encodeStateAsUpdate(room.doc).byteLength;
      room.relayCheck.announce();
      return room;
    } catch (e) {
      room.destroyNow();
      throw e;
    }
  }

  /**
   * Documents stored before the rule gate existed may hold what it now refuses
   * (G6): each stored entry is applied on its own, whatever would stay pending
   * is dropped, and entries outside the schema are removed (and logged), so the
   * document loads and is served without them.
   */
  private applyStored(updates: Uint8Array[]): void {
    const { log, kind } = this.opts;
    // One transaction, as before the gate: observers run once, whatever the log's length.
    Y.transact(
      this.doc,
      () => {
        for (const [i, u] of updates.entries()) {
          try {
            Y.applyUpdate(this.doc, u, PERSISTENCE_ORIGIN);
          } catch (e) {
            log.error({ err: e, doc: this.name, entry: i }, 'a stored update could not be applied; skipped');
          }
          this.dropPending(`stored entry ${i}`);
        }
      },
      PERSISTENCE_ORIGIN,
    );
    const problems = auditDocument(kind, this.doc, serverOrigin('audit'));
    if (problems.length > 0)
      log.warn(
        { doc: this.name, problems: problems.slice(0, 20), count: problems.length },
        'removed content that breaks the schema',
      );
  }

  /** Structs whose dependencies never arrived are not kept (rule G4): they only cost memory. */
  private dropPending(where: string): void {
    const store = this.doc.store;
    if (store.pendingStructs === null && store.pendingDs === null) return;
    this.opts.log.warn({ doc: this.name, where }, 'dropped structs with missing dependencies');
    store.pendingStructs = null;
    store.pendingDs = null;
  }

  // ---- connections -------------------------------------------------------

  join(conn: Connection): void {
    if (this.destroyed) {
      conn.close(CLOSE.roomFailed, 'the document failed on the server; reconnect');
      return;
    }
    const origin: Origin = { kind: 'remote', connectionId: conn.id };
    this.connections.set(conn, new Set());
    this.origins.set(conn, origin);
    this.connByOrigin.set(origin, conn);
    // Ask writers for what they have that we lack; readers' state is never wanted.
    if (this.opts.checkWrite(conn) === null) conn.send(syncStep1Frame(this.doc));
    const states = this.awareness.getStates();
    if (states.size > 0) conn.send(awarenessFrame(this.awareness, [...states.keys()]));
  }

  leave(conn: Connection): void {
    const ids = this.connections.get(conn);
    if (!ids) return;
    this.connections.delete(conn);
    this.clientIds.release(conn);
    const origin = this.origins.get(conn);
    this.origins.delete(conn);
    if (origin) this.connByOrigin.delete(origin);
    for (const id of ids) this.awarenessOwners.delete(id);
    if (ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], 'leave');
  }

  /** Send `conn` the whole document once what is pending is stored, as after an empty sync step 1. */
  sendState(conn: Connection): void {
    if (!this.connections.has(conn)) return;
    this.pending.replies.push({ conn, stateVector: EMPTY_STATE_VECTOR });
    this.scheduleFlush();
  }

  // ---- incoming messages -------------------------------------------------

  /**
   * Handle one y-protocols frame from `conn`. Throws ProtocolError for bytes
   * that are not a valid message; the transport then closes that connection.
   */
  receive(conn: Connection, frame: Uint8Array, ack?: AckFn): Promise<void> | void {
    if (!this.connections.has(conn)) return;
    try {
      const decoder = decoding.createDecoder(frame);
      const type = decoding.readVarUint(decoder);
      switch (type) {
        case MESSAGE.sync:
          return this.receiveSync(conn, decoder, ack);
        case MESSAGE.awareness:
          this.receiveAwareness(conn, decoding.readVarUint8Array(decoder));
          ack?.({ ok: true });
          break;
        case MESSAGE.queryAwareness:
          conn.send(awarenessFrame(this.awareness, [...this.awareness.getStates().keys()]));
          break;
        case MESSAGE.auth:
          // Clients have nothing to say in the auth sub-protocol.
          break;
        default:
          throw new ProtocolError(`unknown message type ${type}`);
      }
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new ProtocolError(`malformed message: ${(e as Error).message}`);
    }
  }

  /** A promise when the update waits for the cluster's vote budget (R6): the sender's next frames wait too. */
  private receiveSync(conn: Connection, decoder: decoding.Decoder, ack?: AckFn): Promise<void> | void {
    const syncType = decoding.readVarUint(decoder);
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder);
      // Validate now, answer once everything applied so far is stored.
      Y.decodeStateVector(stateVector);
      this.pending.replies.push({ conn, stateVector });
      this.scheduleFlush();
      return;
    }
    if (syncType !== syncProtocol.messageYjsSyncStep2 && syncType !== syncProtocol.messageYjsUpdate) {
      throw new ProtocolError(`unknown sync message ${syncType}`);
    }
    const update = decoding.readVarUint8Array(decoder);
    // What every read-only client answers to sync step 1 when it has nothing new.
    const empty = update.byteLength === 2 && update[0] === 0 && update[1] === 0;
    const denial = this.opts.checkWrite(conn);
    if (denial) {
      if (!empty) {
        conn.deny(denial);
        ack?.({ ok: false, error: denial.reason });
      } else ack?.({ ok: true });
      return;
    }
    if (!empty) {
      const votes: VoteReport | undefined = this.opts.voteBudget
        ? { delta: 0, targets: new Map() }
        : undefined;
      const refusal = this.gate(conn, update, votes);
      // Bytes that are no update at all close the connection, as any malformed message (I1).
      if (refusal?.code === 'malformed') throw new ProtocolError(refusal.reason);
      if (refusal) {
        conn.deny(refusal);
        ack?.({ ok: false, error: refusal.reason });
        return;
      }
      if (votes && votes.delta > 0) return this.withVoteBudget(conn, update, votes, ack);
      this.applyAccepted(conn, update);
    }
    if (ack) this.pending.acks.push(ack);
    this.scheduleFlush();
  }

  private applyAccepted(conn: Connection, update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, this.origins.get(conn));
    this.docBytes += update.byteLength;
    this.dropPending(`update from ${conn.id}`);
  }

  /**
   * R6: votes the gate accepted here are applied only once the cluster agrees
   * that the person stays within the limit; checked again here afterwards (the
   * document may have moved meanwhile), and given back when refused then.
   */
  private async withVoteBudget(
    conn: Connection,
    update: Uint8Array,
    votes: VoteReport,
    ack?: AckFn,
  ): Promise<void> {
    const budget = this.opts.voteBudget!;
    const limit = this.opts.live()?.votesPerPerson ?? 0;
    const boardId = this.name.slice(0, this.name.lastIndexOf('/'));
    const { userId } = conn.peer;
    const ok = await budget.reserve(boardId, userId, limit, this.doc, votes);
    if (this.destroyed || !this.connections.has(conn)) {
      if (ok) await budget.release(boardId, userId, votes);
      return;
    }
    const refusal: Denial | null = ok
      ? this.gate(conn, update)
      : { doc: this.opts.kind, code: 'no-votes-left', reason: `all ${limit} votes are used` };
    if (refusal) {
      if (ok) await budget.release(boardId, userId, votes);
      conn.deny(refusal);
      ack?.({ ok: false, error: refusal.reason });
      return;
    }
    this.applyAccepted(conn, update);
    if (ack) this.pending.acks.push(ack);
    this.scheduleFlush();
  }

  /** The rule gate (G1–G5): null when the update may be applied. */
  private gate(conn: Connection, update: Uint8Array, votes?: VoteReport): Denial | null {
    const { peer } = conn;
    try {
      const refusal = checkUpdate(
        {
          ...(votes ? { votes } : {}),
          kind: this.opts.kind,
          doc: this.doc,
          conn,
          actor: peer,
          live: this.opts.live(),
          ...(this.opts.privateWriting ? { privateWriting: this.opts.privateWriting() } : {}),
          limits: this.opts.limits,
          clientIds: this.clientIds,
          docBytes: this.docBytes,
        },
        update,
      );
      if (refusal === null) return null;
      this.opts.log.info({ doc: this.name, conn: conn.id, code: refusal.code }, 'update refused');
      return { doc: this.opts.kind, ...refusal };
    } catch (e) {
      // A fault of the gate itself: refuse rather than apply something unchecked.
      this.opts.log.error({ err: e, doc: this.name, conn: conn.id }, 'rule gate failed; update refused');
      return { doc: this.opts.kind, code: 'malformed', reason: 'the update could not be checked' };
    }
  }

  private receiveAwareness(conn: Connection, update: Uint8Array): void {
    const owned = this.connections.get(conn)!;
    const decoder = decoding.createDecoder(update);
    const n = decoding.readVarUint(decoder);
    if (n > 64) throw new ProtocolError('too many awareness entries');
    const accepted: [number, number, string][] = [];
    for (let i = 0; i < n; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const json = decoding.readVarString(decoder);
      const owner = this.awarenessOwners.get(clientId);
      // A client can neither remove nor impersonate someone else's presence.
      if (owner && owner !== conn) continue;
      if (!owner) {
        if (owned.size >= MAX_AWARENESS_IDS_PER_CONNECTION) continue;
        if (json === 'null') continue; // removing an entry you never had
      }
      if (json.length > LIMITS.maxAwarenessStateBytes) continue;
      let state: unknown;
      try {
        state = JSON.parse(json);
      } catch (e) {
        // A peer's unreadable presence entry is dropped, like every entry that breaks A1.
        this.opts.log.debug({ err: e, conn: conn.id }, 'presence entry is not JSON; ignored');
        continue;
      }
      const clean = sanitizeAwarenessState(state, conn.peer);
      if (clean === undefined) continue;
      if (!owner) {
        owned.add(clientId);
        this.awarenessOwners.set(clientId, conn);
      }
      accepted.push([clientId, clock, JSON.stringify(clean)]);
    }
    if (accepted.length === 0) return;
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), conn);
  }

  // ---- server-side changes (HTTP routes, roster) --------------------------

  /** Apply a change as the server; resolves once it is stored and sent. */
  change(reason: string, fn: (doc: Y.Doc) => void): Promise<void> {
    this.doc.transact(() => fn(this.doc), { kind: 'server', reason } satisfies Origin);
    return this.whenStored();
  }

  /** Resolves after everything applied so far has been stored and broadcast. */
  whenStored(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(new Error(`${this.name} is unloaded`));
      this.pending.waiters.push((err) => (err ? reject(err) : resolve()));
      this.scheduleFlush();
    });
  }

  /** Presence of people connected to another instance: shown here, owned there. */
  private applyRelayedAwareness(update: Uint8Array, instance: string): void {
    try {
      const decoder = decoding.createDecoder(update);
      const ids: number[] = [];
      for (let n = decoding.readVarUint(decoder); n > 0; n--) {
        ids.push(decoding.readVarUint(decoder));
        decoding.readVarUint(decoder);
        decoding.readVarString(decoder);
      }
      // Never let a relayed entry overwrite one of our own connections' entries.
      if (ids.some((id) => typeof (this.awarenessOwners.get(id) ?? '') !== 'string')) return;
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, 'relay');
      const states = this.awareness.getStates();
      for (const id of ids) if (states.has(id)) this.awarenessOwners.set(id, instance);
    } catch (e) {
      this.opts.log.error({ err: e, doc: this.name }, 'relayed presence rejected');
    }
  }

  /** Our own connections' presence, to every other instance. */
  private publishOwnPresence(): void {
    const states = this.awareness.getStates();
    const ids = [...this.awarenessOwners]
      .filter(([id, owner]) => typeof owner !== 'string' && states.has(id))
      .map(([id]) => id);
    if (ids.length > 0 && !this.destroyed)
      this.opts.relay.publish(
        this.name,
        'awareness',
        awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids),
      );
  }

  /** An instance fell silent (crashed or cut off): its people are no longer here (R3). */
  private dropPresenceOf(instance: string): void {
    const ids = [...this.awarenessOwners].filter(([, owner]) => owner === instance).map(([id]) => id);
    if (ids.length === 0) return;
    this.opts.log.warn(
      { doc: this.name, people: ids.length },
      'another instance went silent; removing its presence',
    );
    awarenessProtocol.removeAwarenessStates(this.awareness, ids, 'relay');
  }

  private applyRelayed(update: Uint8Array): void {
    try {
      Y.applyUpdate(this.doc, update, RELAY_ORIGIN);
    } catch (e) {
      this.opts.log.error({ err: e, doc: this.name }, 'relayed update rejected');
    }
  }

  // ---- outgoing ----------------------------------------------------------

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.followForFreshClients(update);
    if (!isOrigin(origin) || origin.kind === 'persistence') return;
    if (origin.kind === 'relay') {
      this.pending.relayed.push(update);
    } else {
      this.pending.updates.push(update);
      this.pending.from.add(this.connByOrigin.get(origin) ?? null);
    }
    this.scheduleFlush();
  };

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    // Local changes go to other instances too; relayed ones and timeouts stay here.
    const local = origin !== 'relay' && origin !== 'timeout';
    for (const id of [...added, ...updated, ...removed]) {
      this.awarenessChanged.add(id);
      if (local) this.awarenessChangedHere.add(id);
    }
    for (const id of removed)
      if (typeof this.awarenessOwners.get(id) === 'string') this.awarenessOwners.delete(id);
    if (this.awarenessTimer === null && !this.destroyed) {
      this.awarenessTimer = setTimeout(this.flushAwareness, this.opts.awarenessTickMs);
    }
  };

  private readonly flushAwareness = (): void => {
    this.awarenessTimer = null;
    if (this.awarenessChanged.size === 0 || this.destroyed) return;
    if (this.awarenessChangedHere.size > 0) {
      const ids = [...this.awarenessChangedHere];
      this.awarenessChangedHere.clear();
      this.opts.relay.publish(
        this.name,
        'awareness',
        awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids),
      );
    }
    const frame = awarenessFrame(this.awareness, [...this.awarenessChanged]);
    this.awarenessChanged.clear();
    for (const conn of this.connections.keys()) conn.send(frame);
  };

  /**
   * Flush on the leading edge: an idle room stores and sends at once; a busy
   * one at most once per tick, which is where coalescing pays (rule S4).
   */
  private scheduleFlush(minDelay = 0): void {
    if (this.destroyed || this.flushTimer !== null) return;
    const wait = Math.max(minDelay, this.lastFlushAt + this.opts.tickMs - Date.now(), 0);
    const run = (): void => {
      this.flushTimer = null;
      void this.flush();
    };
    // Idle: right after this turn's I/O (a 0 ms timer waits for the timer phase, ~1 ms more).
    this.flushTimer = wait === 0 ? setImmediate(run) : setTimeout(run, wait);
  }

  /** Store, then relay and broadcast, what the last tick accepted. One flush at a time. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    const batch = this.pending;
    if (
      batch.updates.length +
        batch.relayed.length +
        batch.acks.length +
        batch.replies.length +
        batch.waiters.length ===
      0
    )
      return;
    this.pending = newBatch();
    this.flushing = this.flushBatch(batch)
      .catch((e: unknown) => {
        abandon(batch);
        this.fail(e);
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  /**
   * Rule G6: an error in this room (encoding a state, a frame) closes this room's
   * connections with 4500 (clients reconnect and resync from what is stored) and
   * unloads it; other rooms never notice. Unacknowledged changes are not lost:
   * clients keep them until the server acknowledges them.
   */
  fail(e: unknown): void {
    if (this.destroyed) return;
    this.opts.log.error({ err: e, doc: this.name }, 'room failed; closing its connections');
    for (const conn of [...this.connections.keys()]) {
      try {
        conn.close(CLOSE.roomFailed, 'the document failed on the server; reconnect');
      } catch (err) {
        this.opts.log.warn({ err, conn: conn.id }, 'closing a connection of a failed room');
      }
    }
    this.connections.clear();
    abandon(this.pending);
    this.destroyNow();
    this.opts.onFailure(this);
  }

  private async flushBatch(batch: Batch): Promise<void> {
    this.lastFlushAt = Date.now();
    if (batch.updates.length > 0) {
      try {
        this.lastSeq = await this.opts.store.append(this.name, batch.updates);
        this.storedEntries += batch.updates.length;
      } catch (e) {
        // Keep everything in memory and try again; nobody receives unstored changes.
        this.opts.log.error({ err: e, doc: this.name }, 'saving updates failed; will retry');
        this.requeue(batch);
        if (!this.destroyed) this.scheduleFlush(SAVE_RETRY_MS);
        return;
      }
      const merged = batch.updates.length === 1 ? batch.updates[0]! : Y.mergeUpdates(batch.updates);
      this.opts.relay.publish(this.name, 'update', merged);
      // The only writer of a tick does not need its own change back.
      const only = batch.from.size === 1 ? [...batch.from][0] : null;
      this.broadcast(updateFrame(merged), only ?? null);
    }
    if (batch.relayed.length > 0) {
      this.broadcast(updateFrame(Y.mergeUpdates(batch.relayed)), null);
    }
    for (const ack of batch.acks) ack({ ok: true });
    if (this.pending.updates.length > 0) {
      // Changes applied while we were saving are not stored yet: answer with them next tick.
      this.pending.replies.push(...batch.replies);
    } else {
      for (const { conn, stateVector } of batch.replies) {
        if (!this.connections.has(conn)) continue;
        if (Y.decodeStateVector(stateVector).size === 0) this.sendFullState(conn);
        else conn.send(syncStep2Frame(this.doc, stateVector));
      }
    }
    for (const w of batch.waiters) w();
    if (this.storedEntries >= this.opts.compactAfterUpdates) void this.compact();
  }

  /**
   * Fresh clients all get the same frames (whose wire bytes the transports then
   * build once): the cached full state, and what changed since in one update.
   */
  private sendFullState(conn: Connection): void {
    this.fresh ??= { base: syncStep2Frame(this.doc), since: [], sinceBytes: 0, tail: null };
    const fresh = this.fresh;
    conn.send(fresh.base);
    if (fresh.since.length > 0) {
      fresh.tail ??= updateFrame(fresh.since.length === 1 ? fresh.since[0]! : Y.mergeUpdates(fresh.since));
      conn.send(fresh.tail);
    }
  }

  /** Every change to the document extends the fresh clients' tail, until re-encoding is cheaper. */
  private followForFreshClients(update: Uint8Array): void {
    const fresh = this.fresh;
    if (!fresh) return;
    fresh.since.push(update);
    fresh.sinceBytes += update.byteLength;
    fresh.tail = null;
    if (fresh.sinceBytes * 4 > fresh.base.byteLength || fresh.since.length > 1000) this.fresh = null;
  }

  private requeue(batch: Batch): void {
    const next = this.pending;
    next.updates.unshift(...batch.updates);
    for (const f of batch.from) next.from.add(f);
    next.relayed.unshift(...batch.relayed);
    next.acks.unshift(...batch.acks);
    next.replies.unshift(...batch.replies);
    next.waiters.unshift(...batch.waiters);
  }

  private broadcast(frame: Uint8Array, except: Connection | null): void {
    for (const conn of this.connections.keys()) if (conn !== except) conn.send(frame);
  }

  /** Replace the stored log by one state update. Content is unchanged (rule S3). */
  async compact(): Promise<void> {
    if (this.compacting) return;
    this.compacting = true;
    try {
      // Everything stored up to lastSeq is in the document; later unstored changes
      // may be too, which is harmless: they are stored again when their turn comes.
      const throughSeq = this.lastSeq;
      const state = Y.encodeStateAsUpdate(this.doc);
      // The stored size is now this state (G5): overwritten values no longer count.
      this.docBytes = state.byteLength;
      await this.opts.store.compact(this.name, state, throughSeq);
      this.storedEntries = await this.opts.store.count(this.name);
    } catch (e) {
      this.opts.log.error({ err: e, doc: this.name }, 'compaction failed');
    } finally {
      this.compacting = false;
    }
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
      this.opts.log.error({ err: e, doc: this.name }, 'final save failed');
    }
    this.destroyNow();
  }

  private destroyNow(): void {
    this.destroyed = true;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer as NodeJS.Timeout);
      clearImmediate(this.flushTimer as NodeJS.Immediate);
    }
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer);
    this.flushTimer = this.awarenessTimer = null;
    this.unsubscribeRelay();
    this.relayCheck.stop();
    this.stopResubscribed();
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** Tell everyone waiting on a batch that it will not be stored. */
function abandon(batch: Batch): void {
  const err = new Error('the document failed on the server');
  for (const ack of batch.acks.splice(0)) ack({ ok: false, error: err.message });
  for (const w of batch.waiters.splice(0)) w(err);
}
