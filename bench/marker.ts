/**
 * Edit markers: each edit inserts `[e<id>@<µs>]`, its global edit number and
 * the load generator's send time in microseconds (`performance.now()`, one
 * clock: writers and receivers live in the same process). Yjs writes
 * ContentString as plain UTF-8, so a receiver finds markers in the raw update
 * bytes without building a Y.Doc. Roster names and note fields never contain `[e`.
 */
const OPEN = Buffer.from('[e');
const AT = 0x40; // '@'
const CLOSE = 0x5d; // ']'
const ZERO = 0x30;

export const nowMicros = (): number => Math.round(performance.now() * 1000);

export const marker = (id: number, sentMicros: number): string => `[e${id}@${sentMicros}]`;

/** Calls `found(id, sentMicros)` for every well-formed marker in `bytes[from..]`. */
export function scanMarkers(
  bytes: Buffer,
  from: number,
  found: (id: number, sentMicros: number) => void,
): void {
  let at = bytes.indexOf(OPEN, from);
  while (at !== -1) {
    let i = at + OPEN.length;
    let id = 0;
    let digits = 0;
    for (; i < bytes.length; i++) {
      const c = bytes[i]! - ZERO;
      if (c < 0 || c > 9) break;
      id = id * 10 + c;
      digits++;
    }
    if (digits > 0 && bytes[i] === AT) {
      let t = 0;
      let tDigits = 0;
      for (i++; i < bytes.length; i++) {
        const c = bytes[i]! - ZERO;
        if (c < 0 || c > 9) break;
        t = t * 10 + c;
        tDigits++;
      }
      if (tDigits > 0 && bytes[i] === CLOSE) found(id, t);
    }
    at = bytes.indexOf(OPEN, at + OPEN.length);
  }
}

/**
 * Move markers: the moves workload writes x = id + 0.25 (and y with a fraction
 * of .5), which lib0 encodes as a FLOAT32 value (type byte 124, then 4 bytes big
 * endian); the board rounds coordinates to 0.01, so .25 survives. The send time
 * is looked up by id (writers and receivers share this process).
 */
const FLOAT32 = 124;
export const MOVE_FRACTION = 0.25;

/** Calls `found(id)` for every float32 value in `bytes[from..]` that is an edit id + 0.25 below `capacity`. */
export function scanMoves(bytes: Buffer, from: number, capacity: number, found: (id: number) => void): void {
  let at = bytes.indexOf(FLOAT32, from);
  while (at !== -1 && at + 4 < bytes.length) {
    const v = bytes.readFloatBE(at + 1);
    const id = v - MOVE_FRACTION;
    if (Number.isInteger(id) && id >= 0 && id < capacity) {
      found(id);
      at = bytes.indexOf(FLOAT32, at + 5);
    } else at = bytes.indexOf(FLOAT32, at + 1);
  }
}

/** A Buffer view of any binary payload the clients hand us, without copying. */
export function asBuffer(data: unknown): Buffer | null {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Array.isArray(data) && data.every((d) => Buffer.isBuffer(d))) return Buffer.concat(data as Buffer[]);
  return null;
}
