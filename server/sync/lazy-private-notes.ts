import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MESSAGE } from '../../shared/protocol';
import { syncStep2Frame } from '../../shared/protocol/frames';
import { boardInfo, isPrivateWriting, privateCounts } from '../../shared/schema';
import type { AckFn } from './connection';
import type { ReadFrame } from './frame';

/** Sync step 2 of an empty document: what a `mine` nobody wrote in holds. */
const EMPTY_STATE = (() => {
  const doc = new Y.Doc();
  const frame = syncStep2Frame(doc);
  doc.destroy();
  return frame;
})();

/**
 * PW1: whether a connection opens its person's private notes (`mine`) at once:
 * only while its board is in private writing, or when that person has private
 * notes (the board's count, written by the server). Outside the phase almost
 * nobody has any, and a document per person would otherwise be loaded (read
 * from the store, followed for its count) for every connection of a workshop.
 */
export function needsPrivateNotes(board: Y.Doc, userId: string): boolean {
  return isPrivateWriting(board) || (privateCounts(board).get(userId) ?? 0) > 0;
}

function isStateVector(bytes: Uint8Array): boolean {
  try {
    Y.decodeStateVector(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * A connection's `mine` while it is not loaded. The client syncs it like every
 * document: its sync step 1 is answered with an empty state (there are no
 * notes: `needsPrivateNotes` was false), its presence there is dropped (only
 * the same person's other tabs would see it), an empty update is acknowledged.
 * Anything else (a private note, a state vector that does not decode) loads the document
 * and waits for it; so does the start of private writing, watched on the
 * board's `info`. Once loaded, the connection joins the room and is sent its
 * full state, as after a sync step 1 of an empty document.
 */
export class LazyPrivateNotes {
  /** Frames waiting while the document loads (null: not loading). */
  private waiting: [Uint8Array, AckFn | undefined][] | null = null;
  private readonly stopWatching: () => void;

  constructor(
    board: Y.Doc,
    private readonly load: () => void,
    /** Answer one frame to the client (the empty state). */
    private readonly send: (frame: Uint8Array) => void,
    private readonly maxWaiting: number,
    private readonly overloaded: () => void,
  ) {
    const info = boardInfo(board);
    const onInfo = (): void => {
      if (isPrivateWriting(board)) this.start();
    };
    info.observe(onInfo);
    this.stopWatching = () => info.unobserve(onInfo);
  }

  /** A frame of `mine` before it is loaded. */
  receive(frame: Uint8Array, msg: ReadFrame, ack: AckFn | undefined): void {
    if (this.waiting) {
      if (this.waiting.length >= this.maxWaiting) this.overloaded();
      else this.waiting.push([frame, ack]);
      return;
    }
    if (msg.syncType === syncProtocol.messageYjsSyncStep1 && isStateVector(msg.payload))
      return this.send(EMPTY_STATE);
    if (msg.type === MESSAGE.awareness || (msg.type === MESSAGE.sync && !msg.update)) {
      ack?.({ ok: true });
      return;
    }
    this.waiting = [[frame, ack]];
    this.start();
  }

  private start(): void {
    this.stopWatching();
    this.waiting ??= [];
    this.load();
  }

  /** The document is joined (or the connection is gone): the frames that waited, in order. */
  takeWaiting(): [Uint8Array, AckFn | undefined][] {
    const w = this.waiting ?? [];
    this.waiting = null;
    return w;
  }

  stop(): void {
    this.stopWatching();
    this.waiting = null;
  }
}
