import {
  Decoder as DefaultDecoder,
  Encoder as DefaultEncoder,
  PacketType,
  type Packet,
} from 'socket.io-parser';
import { DOC_KINDS, type DocKind } from '../schema/types';

/**
 * Socket.io's default parser sends an event with a binary argument as two
 * messages (a text header with a placeholder, then the bytes as an
 * attachment). Our `y` event (document kind + one y-protocols frame) is sent
 * instead as ONE binary message: [PACKED_TAG, document index, ...frame].
 *
 * The server's decoder accepts both forms, so stock socket.io-client users keep
 * working; it sends the packed form only to a client that announced it
 * (`auth.wire === 'packed'`, our own provider). A default decoder never sees a
 * binary message outside an attachment, so the tag cannot be mistaken for one.
 */
export const PACKED_TAG = 0xb7;
export const PACKED_WIRE = 'packed';

/** The packed `y` event, or null when the arguments are not one (other events keep the default form). */
export function packYEvent(doc: unknown, frame: unknown): Uint8Array | null {
  const index = DOC_KINDS.indexOf(doc as DocKind);
  if (index < 0 || !(frame instanceof Uint8Array)) return null;
  const out = new Uint8Array(frame.byteLength + 2);
  out[0] = PACKED_TAG;
  out[1] = index;
  out.set(frame, 2);
  return out;
}

const bytesOf = (data: unknown): Uint8Array | null =>
  data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;

/** The `y` event a packed message carries (the frame is a view, not a copy), or null. */
export function unpackYEvent(data: unknown): Packet | null {
  const bytes = bytesOf(data);
  if (!bytes || bytes.byteLength < 2 || bytes[0] !== PACKED_TAG) return null;
  const doc = DOC_KINDS[bytes[1]!];
  if (doc === undefined) return null;
  return { type: PacketType.EVENT, nsp: '/', data: ['y', doc, bytes.subarray(2)] };
}

/** Encodes `y` events without an ack packed; everything else as socket.io does. */
export class PackedEncoder extends DefaultEncoder {
  override encode(packet: Packet): ReturnType<DefaultEncoder['encode']> {
    const data: unknown = packet.data;
    if (
      packet.type === PacketType.EVENT &&
      packet.nsp === '/' &&
      packet.id === undefined &&
      Array.isArray(data) &&
      data.length === 3 &&
      data[0] === 'y'
    ) {
      const packed = packYEvent(data[1], data[2]);
      if (packed) return [packed];
    }
    return super.encode(packet);
  }
}

/** Decodes packed `y` events and everything socket.io's default encoder makes. */
export class PackedDecoder extends DefaultDecoder {
  override add(obj: unknown): void {
    // An attachment of a binary event under way is never a packed event.
    if (typeof obj !== 'string' && !(this as unknown as { reconstructor: unknown }).reconstructor) {
      const packet = unpackYEvent(obj);
      if (packet) {
        this.emitReserved('decoded', packet);
        return;
      }
    }
    super.add(obj);
  }
}

/** Our client's `parser` option (socket.io-client): packed `y` events both ways. */
export const packedParser = { Encoder: PackedEncoder, Decoder: PackedDecoder };
