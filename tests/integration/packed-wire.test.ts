import { describe, expect, it } from 'vitest';
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { PACKED_TAG, PackedDecoder, PackedEncoder } from '../../shared/protocol/packed-parser';
import { readNotes } from '../../shared/schema';
import { SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { noteScratch, whoOf } from '../helpers/probes';
import { startTestServer } from '../helpers/server';

/** Every engine.io message a client's socket receives, as it came off the wire. */
function recordMessages(c: SioClient): unknown[] {
  const seen: unknown[] = [];
  c.socket.io.engine.on('packet', (p: { type: string; data?: unknown }) => {
    if (p.type === 'message') seen.push(p.data);
  });
  return seen;
}

const decodeAll = (decoder: Decoder, parts: unknown[]): Packet[] => {
  const out: Packet[] = [];
  decoder.on('decoded', (p: Packet) => out.push(p));
  for (const part of parts) decoder.add(part);
  return out;
};

describe('S6: two Socket.io encodings', () => {
  it('the packed parser reads both forms and writes a y event as one binary message', () => {
    const frame = new Uint8Array([0, 2, 1, 2, 3]);
    const y: Packet = { type: PacketType.EVENT, nsp: '/', data: ['y', 'board', frame] };
    const packed = new PackedEncoder().encode(y);
    expect(packed).toHaveLength(1);
    expect([...(packed[0] as Uint8Array)]).toEqual([PACKED_TAG, 1, 0, 2, 1, 2, 3]);
    const stock = new Encoder().encode(y);
    expect(stock).toHaveLength(2); // text header + attachment
    // The stock form, the packed form and an ordinary event, in a row, through one decoder.
    const other: Packet = { type: PacketType.EVENT, nsp: '/', data: ['clock'], id: 4 };
    const got = decodeAll(new PackedDecoder(), [...stock, ...packed, ...new PackedEncoder().encode(other)]);
    expect(got.map((p) => p.data[0])).toEqual(['y', 'y', 'clock']);
    expect([...(got[0]!.data[2] as Uint8Array)]).toEqual([...frame]);
    expect([...(got[1]!.data[2] as Uint8Array)]).toEqual([...frame]);
    expect(got[1]!.data[1]).toBe('board');
    // An attachment that happens to start with the tag stays an attachment.
    const tagged = new Uint8Array([PACKED_TAG, 1, 9]);
    const [header, attachment] = new Encoder().encode({ ...y, data: ['y', 'tasks', tagged] });
    const [p] = decodeAll(new PackedDecoder(), [header, attachment]);
    expect(p!.data[1]).toBe('tasks');
    expect([...(p!.data[2] as Uint8Array)]).toEqual([PACKED_TAG, 1, 9]);
    // A packed message naming no document is refused like any malformed packet.
    expect(() => new PackedDecoder().add(new Uint8Array([PACKED_TAG, 7, 0]))).toThrow();
  });

  it('stock and packed clients converge; each gets its own form, every receiver the same bytes', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const auth = (name: string) => ({ board: b.id, token: b.tokens.participant, name });
    const stock = new SioClient(server.url, auth('Stock'));
    const packed = new SioClient(server.url, auth('Packed'), { packed: true });
    const packed2 = new SioClient(server.url, auth('Packed too'), { packed: true });
    const polling = new SioClient(server.url, auth('Polling'), { packed: true, transports: ['polling'] });
    const all = [stock, packed, packed2, polling];
    await eventually(() => expect(all.every((c) => c.synced.size === 3)).toBe(true));
    const stockSeen = recordMessages(stock);
    const packedSeen = recordMessages(packed);
    const packed2Seen = recordMessages(packed2);

    noteScratch(stock.docs.board, whoOf(stock), 's').insert(0, 'from stock');
    noteScratch(packed.docs.board, whoOf(packed), 'p').insert(0, 'from packed');
    noteScratch(polling.docs.board, whoOf(polling), 'l').insert(0, 'from polling');
    await eventually(() => {
      for (const c of all)
        expect(
          readNotes(c.docs.board)
            .map((n) => n.text)
            .sort(),
        ).toEqual(['from packed', 'from polling', 'from stock']);
    });

    // The stock client read binary events (a text header, then the attachment)…
    expect(stockSeen.some((d) => typeof d === 'string' && d.startsWith('51-'))).toBe(true);
    const isPacked = (d: unknown): boolean => d instanceof Uint8Array && d[0] === PACKED_TAG;
    expect(stockSeen.some(isPacked)).toBe(false);
    // …the packed ones one binary message per y event, never the two-part form.
    expect(packedSeen.some(isPacked)).toBe(true);
    expect(packedSeen.some((d) => typeof d === 'string' && d.startsWith('51-'))).toBe(false);
    // Both packed receivers of the same broadcasts got byte-identical messages.
    const hexes = (seen: unknown[]): string[] =>
      seen.filter(isPacked).map((d) => Buffer.from(d as Uint8Array).toString('hex'));
    const common = hexes(packed2Seen).filter((h) => hexes(packedSeen).includes(h));
    expect(common.length).toBeGreaterThan(0);
  });
});
