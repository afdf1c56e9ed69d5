import * as Y from 'yjs';
import { syncStep2Frame, updateFrame } from '../../shared/protocol/frames';
import type { Connection } from './connection';

/**
 * The full state for fresh clients (empty state vector), encoded once: a sync
 * step 2 frame of the document as it was, then the updates applied since as
 * one update frame. A workshop's joins each add a roster entry: without the
 * tail, every joiner would cost the next one a full encode. Fresh clients all
 * get the same frames, whose wire bytes the transports then build once.
 */
export class JoinCache {
  private base: Uint8Array | null = null;
  private since: Uint8Array[] = [];
  private sinceBytes = 0;
  /** `since` merged into one update frame (null: not built since the last change). */
  private tail: Uint8Array | null = null;

  constructor(private readonly doc: Y.Doc) {}

  /** Sends the cached full state (built now when there is none). */
  send(conn: Connection): void {
    this.base ??= syncStep2Frame(this.doc);
    conn.send(this.base);
    if (this.since.length > 0) {
      this.tail ??= updateFrame(this.since.length === 1 ? this.since[0]! : Y.mergeUpdates(this.since));
      conn.send(this.tail);
    }
  }

  /** Every change to the document extends the tail, until re-encoding is cheaper. */
  follow(update: Uint8Array): void {
    if (!this.base) return;
    this.since.push(update);
    this.sinceBytes += update.byteLength;
    this.tail = null;
    if (this.sinceBytes * 4 > this.base.byteLength || this.since.length > 1000) this.clear();
  }

  private clear(): void {
    this.base = this.tail = null;
    this.since = [];
    this.sinceBytes = 0;
  }
}
