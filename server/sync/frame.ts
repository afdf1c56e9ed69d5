import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { MESSAGE } from '../../shared/protocol';

/** A message the server could not parse: the transport closes the connection (4400). */
export class ProtocolError extends Error {}

/**
 * One client frame, read once by the sync core (counting, queueing) and passed
 * to the room as it is (docs/protocol.md "Frames").
 */
export interface ReadFrame {
  /** `MESSAGE.*` */
  type: number;
  /** For sync messages: step 1, step 2 or update (y-protocols' numbers); -1 otherwise. */
  syncType: number;
  /** The state vector (step 1), the update (step 2, update) or the awareness update; empty otherwise. */
  payload: Uint8Array;
  /** A document update with content: not the empty update a reader answers step 1 with. */
  update: boolean;
}

const NOTHING = new Uint8Array(0);

/** Reads a client frame's header and payload; throws ProtocolError for bytes that are no message. */
export function readFrame(frame: Uint8Array): ReadFrame {
  try {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE.sync: {
        const syncType = decoding.readVarUint(decoder);
        if (
          syncType !== syncProtocol.messageYjsSyncStep1 &&
          syncType !== syncProtocol.messageYjsSyncStep2 &&
          syncType !== syncProtocol.messageYjsUpdate
        )
          throw new ProtocolError(`unknown sync message ${syncType}`);
        const payload = decoding.readVarUint8Array(decoder);
        const update = syncType !== syncProtocol.messageYjsSyncStep1 && !isEmptyUpdate(payload);
        return { type, syncType, payload, update };
      }
      case MESSAGE.awareness:
        return { type, syncType: -1, payload: decoding.readVarUint8Array(decoder), update: false };
      case MESSAGE.queryAwareness:
      case MESSAGE.auth:
        return { type, syncType: -1, payload: NOTHING, update: false };
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError(`malformed message: ${(e as Error).message}`);
  }
}

/** No structs and no deletions (v1 encoding: two zero counts): what a reader answers step 1 with. */
export const isEmptyUpdate = (update: Uint8Array): boolean =>
  update.byteLength === 2 && update[0] === 0 && update[1] === 0;
