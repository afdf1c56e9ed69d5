import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  LIMITS,
  MESSAGE,
  type Denial,
  type DenialCode,
  type SessionInfo,
  type UpdateAck,
} from '$shared/protocol';
import { readSyncFrame, syncStep1Frame, updateFrame } from '$shared/protocol/frames';
import { writeDenial } from '$shared/policy';
import { DOC_KINDS, isOrigin, type DocKind, type Origin } from '$shared/schema';
import { AwarenessSender } from './awareness-sender';

/**
 * The Yjs side of the provider: the board's documents and their awareness,
 * which local updates are pending or acknowledged, and what a refusal does.
 * It speaks y-protocols frames (`shared/protocol/frames.ts`) through a `send`
 * it is given and never touches the socket.
 *
 * When the server refuses an update (a `denied` event or an `{ ok: false }`
 * acknowledgement), the refused structs can never be taken back out of the
 * local Y.Doc, and every later local edit would depend on them (the server
 * would refuse those too, for missing dependencies). So the document is
 * replaced by a fresh one (a new Yjs client id) filled from the server, the
 * local changes the server has not stored are dropped, and the connection is
 * renewed (so the server's per-connection bookkeeping starts afresh). Several
 * refusals in a row make one reset. `generation[doc]` counts resets: whatever
 * holds the old document must re-create itself.
 */

/** Origin of every change applied from the server: never sent back. */
export const SERVER_ORIGIN: Origin = Object.freeze({ kind: 'remote', connectionId: 'server' });

/** Refusals arriving within this long of the first one make a single reset. */
export const RESET_DEBOUNCE_MS = 250;

/** A refused change that made the provider reset a document. */
export interface Refusal {
  doc: DocKind;
  code: DenialCode;
  reason: string;
}

export interface DocSyncOptions {
  docs: Readonly<Record<DocKind, Y.Doc>>;
  awareness: Readonly<Record<DocKind, awarenessProtocol.Awareness>>;
  /** Sends a frame now, or drops it when offline (the pending queue resends). */
  send(doc: DocKind, frame: Uint8Array, ack?: (res: UpdateAck) => void): void;
  /** A new connection when there is one (after a reset). */
  renew(): void;
  changed(): void;
  resetDelayMs?: number;
  /** Changes with these origins were loaded from this browser's own copy: not pending. */
  isLoadedCopy?: (origin: unknown) => boolean;
}

const isFromServer = (origin: unknown): boolean => isOrigin(origin) && origin.kind === 'remote';

/** An update with no structs and no deletions (v1 encoding: two zero counts). */
const isEmptyUpdate = (update: Uint8Array): boolean => update.length <= 2 && update.every((b) => b === 0);

/** Whether a sync step 2 frame carries anything (ours may carry offline changes). */
function step2CarriesContent(frame: Uint8Array): boolean {
  const d = decoding.createDecoder(frame);
  decoding.readVarUint(d); // message type
  decoding.readVarUint(d); // sync step 2
  return !isEmptyUpdate(decoding.readVarUint8Array(d));
}

const perDoc = <T>(make: () => T): Record<DocKind, T> =>
  Object.fromEntries(DOC_KINDS.map((k) => [k, make()])) as Record<DocKind, T>;

export class DocSync {
  /** Per document: the server's initial state arrived on the current connection. */
  readonly syncedNow: Record<DocKind, boolean> = perDoc(() => false);
  /** Sticky: every document was synced at least once. */
  everSynced = false;
  /** Local updates the server acknowledged as stored. */
  storedCount = 0;
  /** Per document: how many times it was replaced after a refusal. */
  readonly generation: Record<DocKind, number> = perDoc(() => 0);
  /** Documents replaced after refusals, over the provider's life. */
  resets = 0;
  lastDenial: Denial | null = null;
  /** The refusal behind the latest reset (what the person is told), or null. */
  refusal: Refusal | null = null;

  readonly #opts: DocSyncOptions;
  readonly #docs: Record<DocKind, Y.Doc>;
  readonly #awareness: Record<DocKind, awarenessProtocol.Awareness>;
  readonly #senders = {} as Record<DocKind, AwarenessSender>;
  /** Local updates not yet acknowledged as stored, per document, by sequence number. */
  readonly #pending: Record<DocKind, Map<number, Uint8Array>> = perDoc(() => new Map());
  /** This connection sent local content of the document the server may still refuse. */
  readonly #sentContent: Record<DocKind, boolean> = perDoc(() => false);
  /** Refused documents waiting for their reset. */
  readonly #poisoned = new Set<DocKind>();
  readonly #docCleanups: Record<DocKind, (() => void)[]> = perDoc(() => []);
  #resetTimer: ReturnType<typeof setTimeout> | null = null;
  #seq = 0;
  #destroyed = false;

  constructor(opts: DocSyncOptions) {
    this.#opts = opts;
    this.#docs = { ...opts.docs };
    this.#awareness = { ...opts.awareness };
    for (const kind of DOC_KINDS) this.#wireDoc(kind);
  }

  /** The documents as they are now (a reset replaces one). */
  get docs(): Readonly<Record<DocKind, Y.Doc>> {
    return this.#docs;
  }

  get awareness(): Readonly<Record<DocKind, awarenessProtocol.Awareness>> {
    return this.#awareness;
  }

  /** Local updates not yet stored by the server (sent or waiting to be sent). */
  get unsynced(): number {
    return DOC_KINDS.reduce((n, k) => n + this.#pending[k].size, 0);
  }

  pendingFor(doc: DocKind): number {
    return this.#pending[doc].size;
  }

  get allSyncedNow(): boolean {
    return DOC_KINDS.every((k) => this.syncedNow[k]);
  }

  /** A new connection: every document syncs, and what is pending goes again. */
  connected(): void {
    for (const k of DOC_KINDS) {
      this.#sentContent[k] = false;
      this.#startSync(k);
    }
  }

  disconnected(lost: boolean): void {
    for (const k of DOC_KINDS) {
      this.syncedNow[k] = false;
      if (lost) this.#senders[k].forgetOthers(SERVER_ORIGIN);
    }
  }

  /** A document this connection may not write will never store our changes: ours go. */
  session(info: SessionInfo): void {
    for (const k of DOC_KINDS) {
      if (info.writable.includes(k) || this.#pending[k].size === 0) continue;
      // Not writable now: by role, or (a participant's board) because it is locked.
      const why = writeDenial(info.role, k, { boardLocked: true }) ?? {
        code: 'read-only' as const,
        reason: `this connection cannot change the ${k}`,
      };
      this.#refused(k, why);
    }
  }

  denied(d: Denial): void {
    this.lastDenial = d;
    // Only content we sent can leave the document diverged (a refused
    // awareness message, say, leaves it as it is).
    if (this.#sentContent[d.doc] || this.#pending[d.doc].size > 0 || this.#poisoned.has(d.doc))
      this.#refused(d.doc, d);
  }

  /** Refused for good: no reset will follow. */
  stop(): void {
    if (this.#resetTimer) clearTimeout(this.#resetTimer);
    this.#resetTimer = null;
  }

  announceLeaving(): void {
    for (const k of DOC_KINDS) this.#senders[k].announceLeaving();
  }

  /** Applies a frame from the server (throws on a malformed one). */
  receive(kind: DocKind, frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    switch (decoding.readVarUint(decoder)) {
      case MESSAGE.sync: {
        const { type, reply } = readSyncFrame(decoder, this.#docs[kind], SERVER_ORIGIN);
        if (type === syncProtocol.messageYjsSyncStep1 && reply) {
          // Our step 2 may carry offline changes; the pending queue already
          // resends and counts them, so this reply needs no bookkeeping, but a
          // refusal of it must reset the document. A refused document sends
          // nothing until its reset.
          if (this.#poisoned.has(kind)) break;
          if (step2CarriesContent(reply)) this.#sentContent[kind] = true;
          this.#opts.send(kind, reply);
        } else if (type === syncProtocol.messageYjsSyncStep2 && !this.syncedNow[kind]) {
          this.syncedNow[kind] = true;
          if (this.allSyncedNow) this.everSynced = true;
          this.#opts.changed();
        }
        break;
      }
      case MESSAGE.awareness:
        awarenessProtocol.applyAwarenessUpdate(
          this.#awareness[kind],
          decoding.readVarUint8Array(decoder),
          SERVER_ORIGIN,
        );
        break;
      case MESSAGE.queryAwareness:
        this.#senders[kind].sendNow();
        break;
      default:
        // Unknown message types (e.g. auth) are not used on this transport.
        break;
    }
  }

  destroy(): void {
    this.#destroyed = true;
    this.stop();
    for (const k of DOC_KINDS) for (const c of this.#docCleanups[k].splice(0)) c();
  }

  /**
   * The server refused content of `kind`: stop sending it, and reset the
   * document once the refusals of this burst are in.
   */
  #refused(kind: DocKind, why: { code: DenialCode; reason: string }): void {
    // The first refusal of a burst says why; the rest follow from it (missing dependencies).
    if (this.#poisoned.size === 0) this.refusal = { doc: kind, code: why.code, reason: why.reason };
    this.#poisoned.add(kind);
    this.#resetTimer ??= setTimeout(() => {
      this.#resetTimer = null;
      this.#reset();
    }, this.#opts.resetDelayMs ?? RESET_DEBOUNCE_MS);
  }

  /** Replaces every refused document by a fresh one and resyncs it from the server. */
  #reset(): void {
    if (this.#destroyed || this.#poisoned.size === 0) return;
    const kinds = [...this.#poisoned];
    this.#poisoned.clear();
    const old: { doc: Y.Doc; aw: awarenessProtocol.Awareness }[] = [];
    for (const kind of kinds) {
      for (const c of this.#docCleanups[kind].splice(0)) c();
      const prevDoc = this.#docs[kind];
      const prevAw = this.#awareness[kind];
      const local = prevAw.getLocalState();
      // A fresh document has a fresh client id: nothing of the refused structs' ids or clocks.
      const doc = new Y.Doc({ gc: prevDoc.gc });
      const aw = new awarenessProtocol.Awareness(doc);
      if (local) aw.setLocalState({ ...local });
      this.#docs[kind] = doc;
      this.#awareness[kind] = aw;
      // What the server did not store of ours is gone with the old document.
      this.#pending[kind].clear();
      this.syncedNow[kind] = false;
      this.generation[kind]++;
      this.resets++;
      this.#wireDoc(kind);
      old.push({ doc: prevDoc, aw: prevAw });
    }
    // Listeners re-create what depended on the old documents before they go.
    this.#opts.changed();
    for (const { doc, aw } of old) {
      aw.destroy();
      doc.destroy();
    }
    // A new connection: it syncs every document (the fresh ones from nothing)
    // and the server's per-connection bookkeeping starts afresh.
    this.#opts.renew();
    this.#opts.changed();
  }

  #startSync(kind: DocKind): void {
    const doc = this.#docs[kind];
    this.#opts.send(kind, syncStep1Frame(doc));

    // Changes made offline (or sent but never acknowledged) go again, merged.
    const pending = this.#pending[kind];
    if (pending.size > 0 && !this.#poisoned.has(kind)) {
      const seqs = [...pending.keys()];
      const merged = Y.mergeUpdates([...pending.values()]);
      this.#sentContent[kind] = true;
      this.#opts.send(kind, updateFrame(merged), (res) => this.#acked(kind, seqs, res, doc));
    }

    if (this.#awareness[kind].getLocalState() !== null) this.#senders[kind].sendNow();
  }

  #acked(kind: DocKind, seqs: number[], res: UpdateAck | undefined, doc: Y.Doc): void {
    if (this.#destroyed || doc !== this.#docs[kind]) return; // an answer about a replaced document
    if (res && typeof res === 'object' && res.ok === true) {
      for (const s of seqs) if (this.#pending[kind].has(s)) this.storedCount++;
      for (const s of seqs) this.#pending[kind].delete(s);
    } else if (res && typeof res === 'object' && res.ok === false) {
      // Refused for good (a `denied` event usually says why): the document resets.
      const reason = typeof res.error === 'string' && res.error !== '' ? res.error : 'refused by the server';
      this.lastDenial ??= { doc: kind, code: 'malformed', reason };
      this.#refused(kind, { code: 'malformed', reason });
    }
    this.#opts.changed();
  }

  #wireDoc(kind: DocKind): void {
    const doc = this.#docs[kind];
    const isLoadedCopy = this.#opts.isLoadedCopy ?? (() => false);
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (isFromServer(origin) || isLoadedCopy(origin) || this.#destroyed) return;
      const seq = ++this.#seq;
      this.#pending[kind].set(seq, update);
      // A refused document waits for its reset: what it would send now depends on refused structs.
      if (!this.#poisoned.has(kind)) {
        const frame = updateFrame(update);
        // The server drops a connection whose frame is over its limit before reading it (I1), and
        // a resync would send the same again: refuse it here, as the server would have.
        if (frame.byteLength > LIMITS.maxMessageBytes) {
          this.#refused(kind, { code: 'too-large', reason: 'this change is too large to send' });
        } else {
          this.#sentContent[kind] = true;
          this.#opts.send(kind, frame, (res) => this.#acked(kind, [seq], res, doc));
        }
      }
      this.#opts.changed();
    };
    doc.on('update', onUpdate);
    this.#docCleanups[kind].push(() => doc.off('update', onUpdate));

    const sender = new AwarenessSender(
      this.#awareness[kind],
      (frame) => this.#opts.send(kind, frame),
      this.#senders[kind]?.lastSent,
    );
    this.#senders[kind] = sender;
    this.#docCleanups[kind].push(() => sender.destroy());
  }
}
