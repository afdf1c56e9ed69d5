import * as encoding from 'lib0/encoding';
import * as random from 'lib0/random';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MESSAGE } from '../shared/protocol';
import { openLink, type Endpoint, type Link } from './link';
import { nowMicros, scanMarkers, scanMoves } from './marker';
import type { Samples } from './stats';

/** Sync step 1 with an empty state vector: "send me everything". */
const STEP1 = (() => {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE.sync);
  syncProtocol.writeSyncStep1(enc, new Y.Doc());
  return encoding.toUint8Array(enc);
})();

/** Sync step 2 carrying an empty update: a light receiver has nothing to offer. */
const EMPTY_STEP2 = (() => {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE.sync);
  syncProtocol.writeSyncStep2(enc, new Y.Doc());
  return encoding.toUint8Array(enc);
})();

/**
 * A receiver that never builds a Y.Doc: it answers the sync handshake with
 * constant frames and reads edit markers straight out of update bytes, so a
 * few hundred of them cost the load generator little and the figures
 * measure the server.
 */
export class LightReceiver {
  readonly link: Link;
  readonly synced: Promise<void>;
  /** Distinct edits received. */
  received = 0;
  /** Presence frames received (not decoded: only their number matters here). */
  awarenessFrames = 0;
  /** Bytes of every frame received. */
  bytesReceived = 0;
  closedBecause: string | null = null;
  private readonly seen: Uint8Array;
  private markSynced: () => void = () => {};
  /** Awareness identity, as a Y.Doc's clientID would be. */
  private readonly clientId = random.uint32();
  private awarenessClock = 0;

  constructor(
    endpoint: Endpoint,
    /** Edit ids run from 0 to capacity - 1. */
    capacity: number,
    private readonly latencies: Samples,
    timeoutMs: number,
    /** Moves workload: each edit's send time (µs) by id; markers carry their own otherwise. */
    private readonly moveSentAt: Float64Array | null = null,
  ) {
    this.seen = new Uint8Array(capacity);
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
    this.link = openLink(
      endpoint,
      (frame) => this.onFrame(frame),
      (why) => (this.closedBecause = why),
      timeoutMs,
    );
    void this.link.opened.then(
      () => this.link.send(STEP1),
      () => {},
    );
  }

  /**
   * Presence: a cursor move, as the board sends it (y-protocols awareness
   * update with one entry), hand-encoded since there is no Awareness here.
   */
  moveCursor(x: number, y: number): void {
    const entry = encoding.createEncoder();
    encoding.writeVarUint(entry, 1);
    encoding.writeVarUint(entry, this.clientId);
    encoding.writeVarUint(entry, ++this.awarenessClock);
    encoding.writeVarString(entry, JSON.stringify({ user: { color: '#3366cc' }, cursor: { x, y } }));
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.awareness);
    encoding.writeVarUint8Array(enc, encoding.toUint8Array(entry));
    this.link.send(encoding.toUint8Array(enc));
  }

  private onFrame(frame: Buffer): void {
    this.bytesReceived += frame.length;
    // Message and sync types are below 128, so each is one varuint byte.
    if (frame.length < 2) return;
    if (frame[0] === MESSAGE.awareness) {
      this.awarenessFrames++;
      return;
    }
    if (frame[0] !== MESSAGE.sync) return; // auth and others
    const syncType = frame[1];
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      this.link.send(EMPTY_STEP2);
      return;
    }
    if (syncType === syncProtocol.messageYjsSyncStep2) this.markSynced();
    const now = nowMicros();
    const got = (id: number, sent: number): void => {
      if (id >= this.seen.length || this.seen[id] === 1) return;
      this.seen[id] = 1;
      this.received++;
      this.latencies.add((now - sent) / 1000);
    };
    const sentAt = this.moveSentAt;
    if (sentAt) scanMoves(frame, 2, this.seen.length, (id) => got(id, sentAt[id]!));
    else scanMarkers(frame, 2, got);
  }
}
