import { createHash } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { Logger } from '../log';
import type { Relay } from '../relay/relay';

/** What the check needs from its room. */
export interface RelayCheckHost {
  name: string;
  doc: Y.Doc;
  relay: Relay;
  log: Logger;
  /** Every change in `doc` is stored (ours in the store, others' by the instance that accepted them). */
  settled(): boolean;
  /** An instance was heard from for the first time (or again after it went silent). */
  onPeerSeen(instance: string): void;
  /** An instance fell silent: it crashed or lost its link; its people are gone. */
  onPeerGone(instance: string): void;
}

interface Peer {
  lastSeen: number;
  /** Consecutive checks in which our state vectors matched but our deletions did not. */
  deleteMismatches: number;
  lastRepairAt: number;
}

/** An instance that misses this many checks in a row is taken for dead (R3: within 5 s). */
const MISSED_CHECKS = 3;
const DIGEST_BYTES = 16;

/**
 * Anti-entropy between the instances that hold one document (SPEC R3).
 *
 * Redis pub/sub delivers at most once: an update published while a
 * subscriber's link is down never reaches it, and nothing else would ever
 * bring it. So every `intervalMs` each instance publishes a summary of its
 * copy: its state vector and, when the document has been quiet for a whole
 * interval, a digest of its deletions (state vectors do not cover deletions).
 *
 * A peer whose state vector lacks something we had a whole interval ago
 * (relay latency is milliseconds, so this is a loss, not a message in flight)
 * gets the difference, computed by Yjs from its own state vector, at most once
 * per interval. Equal state vectors with different deletion digests in two
 * checks running send the deletions. The difference goes through the relay as
 * an ordinary update: everyone applies it, nobody stores it again (it was
 * stored when it was first accepted; we only answer while `settled()`).
 *
 * The same summaries are the heartbeat for presence: an instance not heard
 * from for three intervals has its people removed from our presence list.
 */
export class RelayCheck {
  private readonly peers = new Map<string, Peer>();
  private previousVector = new Map<number, number>();
  private lastChangeAt = Date.now();
  private digest: Uint8Array | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: RelayCheckHost,
    private readonly intervalMs: number,
  ) {
    if (!host.relay.active || intervalMs <= 0) return;
    host.doc.on('update', this.onChange);
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  private readonly onChange = (): void => {
    this.lastChangeAt = Date.now();
    this.digest = null;
  };

  /** Publish our summary now (at start, and when the relay's link came back). */
  announce(): void {
    if (this.timer === null) return;
    const { doc, relay, name } = this.host;
    const quiet = Date.now() - this.lastChangeAt >= this.intervalMs;
    const e = encoding.createEncoder();
    encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
    encoding.writeVarUint8Array(e, quiet ? this.deletionDigest() : new Uint8Array(0));
    relay.publish(name, 'state', encoding.toUint8Array(e));
  }

  private tick(): void {
    try {
      this.expirePeers();
      this.announce();
      this.previousVector = Y.decodeStateVector(Y.encodeStateVector(this.host.doc));
    } catch (err) {
      this.host.log.error({ err, doc: this.host.name }, 'relay check failed');
    }
  }

  /** Any message from an instance shows it is alive. */
  heard(instance: string): void {
    const peer = this.peers.get(instance);
    if (peer) peer.lastSeen = Date.now();
    else {
      this.peers.set(instance, { lastSeen: Date.now(), deleteMismatches: 0, lastRepairAt: 0 });
      this.host.onPeerSeen(instance);
    }
  }

  private expirePeers(): void {
    const deadline = Date.now() - MISSED_CHECKS * this.intervalMs;
    for (const [id, peer] of this.peers) {
      if (peer.lastSeen >= deadline) continue;
      this.peers.delete(id);
      this.host.onPeerGone(id);
    }
  }

  /** A peer's summary: send it what it lacks. Malformed summaries are ignored. */
  receive(instance: string, payload: Uint8Array): void {
    this.heard(instance);
    if (this.timer === null || !this.host.settled()) return;
    let vector: Uint8Array;
    let digest: Uint8Array;
    let theirs: Map<number, number>;
    try {
      const d = decoding.createDecoder(payload);
      vector = decoding.readVarUint8Array(d);
      digest = decoding.readVarUint8Array(d);
      theirs = Y.decodeStateVector(vector);
    } catch {
      this.host.log.warn({ doc: this.host.name }, 'malformed relay state ignored');
      return;
    }
    const peer = this.peers.get(instance)!;
    if (Date.now() - peer.lastRepairAt < this.intervalMs) return;
    const lacking = [...this.previousVector].some(([client, clock]) => (theirs.get(client) ?? 0) < clock);
    if (lacking) return this.repair(peer, vector, 'missing updates');
    const ours = Y.decodeStateVector(Y.encodeStateVector(this.host.doc));
    const sameVector = ours.size === theirs.size && [...ours].every(([c, k]) => theirs.get(c) === k);
    const quiet = Date.now() - this.lastChangeAt >= this.intervalMs;
    if (!sameVector || !quiet || digest.length === 0 || equal(digest, this.deletionDigest())) {
      peer.deleteMismatches = 0;
      return;
    }
    // Both quiet, same structs, different deletions: one of us missed a deletion.
    if (++peer.deleteMismatches >= 2) this.repair(peer, vector, 'missing deletions');
  }

  private repair(peer: Peer, theirVector: Uint8Array, why: string): void {
    const { doc, relay, name, log } = this.host;
    peer.lastRepairAt = Date.now();
    peer.deleteMismatches = 0;
    // Everything past their state vector, plus our whole delete set.
    const diff = Y.encodeStateAsUpdate(doc, theirVector);
    log.info({ doc: name, bytes: diff.byteLength, why }, 'sending another instance what it missed');
    relay.publish(name, 'update', diff);
  }

  /** A hash of the delete set: the update that carries no structs, only deletions. */
  private deletionDigest(): Uint8Array {
    if (this.digest) return this.digest;
    const deletions = Y.encodeStateAsUpdate(this.host.doc, Y.encodeStateVector(this.host.doc));
    this.digest = createHash('sha256').update(deletions).digest().subarray(0, DIGEST_BYTES);
    return this.digest;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.host.doc.off('update', this.onChange);
  }
}

const equal = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
