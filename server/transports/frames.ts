import * as ws from 'ws';
import { WebSocket } from 'ws';

/**
 * Frames built once per broadcast. A room sends the same frame object to
 * every receiver of a flush (and the same cached full state to every fresh
 * client): the transports build the bytes that go on the wire once for that
 * object and write them to each socket, instead of encoding and framing the
 * same message once per receiver.
 */

/** ws's frame writer; `WebSocket` keeps it in a private field (engine.io writes pre-built frames the same way). */
interface FrameSender {
  sendFrame(list: Buffer[], cb?: (err?: Error) => void): void;
}

/** ws's frame builder (`Sender.frame`, exported by ws but not in its types). */
interface FrameBuilder {
  frame(
    data: Buffer,
    options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
  ): Buffer[];
}
const Sender = (ws as unknown as { Sender: FrameBuilder }).Sender;

const WS_TEXT = 1;
const WS_BINARY = 2;

/** Above this, header and payload stay two buffers (one write each) instead of a copy into one. */
const MERGE_UP_TO = 16 * 1024;

/**
 * One unmasked, final WebSocket frame (server to client): header and payload
 * in one buffer, or two for a large payload (not copied).
 */
export function webSocketFrame(payload: Uint8Array | string, binary = typeof payload !== 'string'): Buffer[] {
  const data =
    typeof payload === 'string'
      ? Buffer.from(payload)
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const list = Sender.frame(data, {
    fin: true,
    opcode: binary ? WS_BINARY : WS_TEXT,
    mask: false,
    readOnly: true,
    rsv1: false,
  });
  return list.length === 1 || data.length > MERGE_UP_TO ? list : [Buffer.concat(list)];
}

/**
 * Writes a frame built by `webSocketFrame` to `ws` when nothing stands in the
 * way (open, no compression negotiated, ws's sender reachable); false when the
 * caller must send the payload the ordinary way.
 */
export function writeFrame(socket: WebSocket, frame: Buffer[]): boolean {
  if (socket.readyState !== WebSocket.OPEN || socket.extensions !== '') return false;
  const sender = (socket as unknown as { _sender?: Partial<FrameSender> })._sender;
  if (typeof sender?.sendFrame !== 'function') return false;
  sender.sendFrame(frame);
  return true;
}

/**
 * The last value built from a key (compared by identity). A room's broadcast
 * hands every receiver the same frame object in a row, so one entry is enough
 * and holds nothing beyond the latest frame.
 */
export class LastBuilt<K, V> {
  private key: K | undefined;
  private value: V | undefined;

  constructor(private readonly build: (key: K) => V) {}

  get(key: K): V {
    if (this.value === undefined || key !== this.key) {
      this.value = this.build(key);
      this.key = key;
    }
    return this.value;
  }
}
