import * as Y from 'yjs';
import { syncStep2Frame, updateFrame } from '../../shared/protocol/frames';
import type { Logger } from '../log';
import type { AckFn, Connection } from './connection';
import type { DocumentLog } from './document-log';
import type { JoinCache } from './join-cache';

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

const newBatch = (): Batch => ({
  updates: [],
  from: new Set(),
  relayed: [],
  acks: [],
  replies: [],
  waiters: [],
});

const SAVE_RETRY_MS = 1000;

/** What the outbox needs from its room. */
export interface OutboxHost {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly destroyed: boolean;
  readonly connections: ReadonlyMap<Connection, unknown>;
  readonly log: Logger;
  readonly tickMs: number;
  readonly documentLog: DocumentLog;
  readonly joinCache: JoinCache;
  /** Stored, not yet received by anyone: the `afterStore` hooks (the relay publishes here). */
  stored(merged: Uint8Array): void;
  fail(e: unknown): void;
}

/**
 * Store, then broadcast (S1): every accepted update is stored before any
 * client receives it; updates are coalesced per tick into one frame per
 * receiver (S4), flushed at once when the room was idle.
 */
export class Outbox {
  private pending = newBatch();
  /** The scheduled flush: an immediate when the room was idle, a timer for the rest of a busy tick. */
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private flushing: Promise<void> | null = null;
  private lastFlushAt = 0;

  constructor(private readonly room: OutboxHost) {}

  /** Nothing accepted here waits to be stored. */
  get settled(): boolean {
    return this.pending.updates.length === 0 && this.flushing === null;
  }

  accepted(update: Uint8Array, from: Connection | null): void {
    this.pending.updates.push(update);
    this.pending.from.add(from);
    this.schedule();
  }

  relayed(update: Uint8Array): void {
    this.pending.relayed.push(update);
    this.schedule();
  }

  ack(ack: AckFn): void {
    this.pending.acks.push(ack);
    this.schedule();
  }

  /** Answer a sync step 1 once everything applied so far is stored. */
  reply(conn: Connection, stateVector: Uint8Array): void {
    this.pending.replies.push({ conn, stateVector });
    this.schedule();
  }

  waiter(w: (err?: Error) => void): void {
    this.pending.waiters.push(w);
    this.schedule();
  }

  /**
   * Flush on the leading edge: an idle room stores and sends at once; a busy
   * one at most once per tick, which is where coalescing pays (rule S4).
   */
  private schedule(minDelay = 0): void {
    if (this.room.destroyed || this.timer !== null) return;
    const wait = Math.max(minDelay, this.lastFlushAt + this.room.tickMs - Date.now(), 0);
    // Idle: right after this turn's I/O (a 0 ms timer waits for the timer phase, ~1 ms more).
    this.timer = wait === 0 ? setImmediate(this.run) : setTimeout(this.run, wait);
  }

  private readonly run = (): void => {
    this.timer = null;
    void this.flush();
  };

  /** Store, then relay and broadcast, what the last tick accepted. One flush at a time. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    const batch = this.pending;
    const n = batch.updates.length + batch.relayed.length + batch.acks.length;
    if (n + batch.replies.length + batch.waiters.length === 0) return;
    this.pending = newBatch();
    this.flushing = this.flushBatch(batch)
      .catch((e: unknown) => {
        abandon(batch);
        this.room.fail(e);
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  private async flushBatch(batch: Batch): Promise<void> {
    const room = this.room;
    this.lastFlushAt = Date.now();
    if (batch.updates.length > 0) {
      try {
        await room.documentLog.append(batch.updates);
      } catch (e) {
        // Keep everything in memory and try again; nobody receives unstored changes.
        room.log.error({ err: e, doc: room.name }, 'saving updates failed; will retry');
        this.requeue(batch);
        if (!room.destroyed) this.schedule(SAVE_RETRY_MS);
        return;
      }
      const merged = batch.updates.length === 1 ? batch.updates[0]! : Y.mergeUpdates(batch.updates);
      room.stored(merged);
      // The only writer of a tick does not need its own change back.
      const only = batch.from.size === 1 ? batch.from.values().next().value! : null;
      this.broadcast(updateFrame(merged), only);
    }
    if (batch.relayed.length > 0) this.broadcast(updateFrame(Y.mergeUpdates(batch.relayed)), null);
    for (const ack of batch.acks) ack({ ok: true });
    if (this.pending.updates.length > 0) {
      // Changes applied while we were saving are not stored yet: answer with them next tick.
      this.pending.replies.push(...batch.replies);
    } else {
      for (const { conn, stateVector } of batch.replies) {
        if (!room.connections.has(conn)) continue;
        if (Y.decodeStateVector(stateVector).size === 0) room.joinCache.send(conn);
        else conn.send(syncStep2Frame(room.doc, stateVector));
      }
    }
    for (const w of batch.waiters) w();
    if (room.documentLog.wantsCompaction) void room.documentLog.compact(room.doc);
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
    for (const conn of this.room.connections.keys()) if (conn !== except) conn.send(frame);
  }

  /** Tell everyone waiting that nothing pending will be stored (the room failed). */
  abandon(): void {
    abandon(this.pending);
  }

  /** No flush runs after this. */
  stop(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = null;
  }
}

/** Tell everyone waiting on a batch that it will not be stored. */
function abandon(batch: Batch): void {
  const err = new Error('the document failed on the server');
  for (const ack of batch.acks.splice(0)) ack({ ok: false, error: err.message });
  for (const w of batch.waiters.splice(0)) w(err);
}
