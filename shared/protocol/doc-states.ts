import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { SHARED_DOC_KINDS, type DocKind } from '../schema';

type SharedKind = (typeof SHARED_DOC_KINDS)[number];

/**
 * The body of `GET /api/boards/:id/docs`: every document of a board as one
 * Yjs update each, so that a page can fill its documents while the person is
 * still typing a name (DL3), before it may open a live connection. Only the
 * shared documents: a person's private notes (`mine`, PW1) travel live only.
 *
 *   varUint count, then count × (varString kind, varUint8Array update)
 */
export function encodeDocStates(states: Readonly<Record<SharedKind, Uint8Array>>): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, SHARED_DOC_KINDS.length);
  for (const kind of SHARED_DOC_KINDS) {
    encoding.writeVarString(e, kind);
    encoding.writeVarUint8Array(e, states[kind]);
  }
  return encoding.toUint8Array(e);
}

/** The states in a body from `encodeDocStates`; null when it is not one (each kind once, nothing after). */
export function decodeDocStates(bytes: Uint8Array): Partial<Record<DocKind, Uint8Array>> | null {
  try {
    const d = decoding.createDecoder(bytes);
    const n = decoding.readVarUint(d);
    if (n > SHARED_DOC_KINDS.length) return null;
    const out: Partial<Record<DocKind, Uint8Array>> = {};
    for (let i = 0; i < n; i++) {
      const kind = decoding.readVarString(d);
      if (!(SHARED_DOC_KINDS as readonly string[]).includes(kind) || out[kind as DocKind]) return null;
      out[kind as DocKind] = decoding.readVarUint8Array(d);
    }
    return decoding.hasContent(d) ? null : out;
  } catch {
    return null;
  }
}
