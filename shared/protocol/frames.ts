/**
 * Encoding of y-protocols frames: `[varuint message type][payload]`, one
 * message per frame (docs/protocol.md "Frames"). The only code that writes a
 * frame header; server, client and tests build every frame here. Frames carry
 * no document name: the URL or the Socket.io envelope chooses the document.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import type * as Y from 'yjs';
import { MESSAGE } from './index';

function frame(type: number, write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, type);
  write(enc);
  return encoding.toUint8Array(enc);
}

/** Sync step 1: "here is my state vector, send me what I lack". */
export const syncStep1Frame = (doc: Y.Doc): Uint8Array =>
  frame(MESSAGE.sync, (enc) => syncProtocol.writeSyncStep1(enc, doc));

/** Sync step 2: what `doc` has beyond `stateVector` (everything without one). */
export const syncStep2Frame = (doc: Y.Doc, stateVector?: Uint8Array): Uint8Array =>
  frame(MESSAGE.sync, (enc) => syncProtocol.writeSyncStep2(enc, doc, stateVector));

/** A Yjs update (one or merged). */
export const updateFrame = (update: Uint8Array): Uint8Array =>
  frame(MESSAGE.sync, (enc) => syncProtocol.writeUpdate(enc, update));

/** The awareness states of `clients` (removed ones included as removals). */
export const awarenessFrame = (awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array =>
  awarenessUpdateFrame(awarenessProtocol.encodeAwarenessUpdate(awareness, clients));

/** An already encoded awareness update. */
export const awarenessUpdateFrame = (update: Uint8Array): Uint8Array =>
  frame(MESSAGE.awareness, (enc) => encoding.writeVarUint8Array(enc, update));

/** An awareness update payload from `(clientId, clock, state JSON)` entries (no frame header). */
export function encodeAwarenessEntries(entries: readonly (readonly [number, number, string])[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, entries.length);
  for (const [clientId, clock, json] of entries) {
    encoding.writeVarUint(enc, clientId);
    encoding.writeVarUint(enc, clock);
    encoding.writeVarString(enc, json);
  }
  return encoding.toUint8Array(enc);
}

/**
 * An awareness update with no entries: harmless to every client, and it counts
 * as a message (keeps stock y-websocket clients, 30 s silence timeout, connected).
 */
export const keepAliveFrame = (): Uint8Array => awarenessUpdateFrame(encodeAwarenessEntries([]));

/** Ask the other side for its awareness states. */
export const queryAwarenessFrame = (): Uint8Array => frame(MESSAGE.queryAwareness, () => {});

/** y-protocols' auth message "permission denied": stock y-websocket clients report the reason. */
export const authDeniedFrame = (reason: string): Uint8Array =>
  frame(MESSAGE.auth, (enc) => authProtocol.writePermissionDenied(enc, reason));

/**
 * Apply a sync message (the rest of a frame after its type) to `doc` with
 * `origin`, as a client does. Returns the sync message type and the frame to
 * answer with (the step 2 owed for a step 1), or null when none is owed.
 */
export function readSyncFrame(
  decoder: decoding.Decoder,
  doc: Y.Doc,
  origin: unknown,
): { type: number; reply: Uint8Array | null } {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE.sync);
  const type = syncProtocol.readSyncMessage(decoder, enc, doc, origin);
  return { type, reply: encoding.length(enc) > 1 ? encoding.toUint8Array(enc) : null };
}
