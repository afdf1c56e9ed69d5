/**
 * Crafting hostile Yjs updates and sending them the way an attacker would:
 * raw frames over Socket.io (with acknowledgements) and over the y-websocket
 * endpoint (answered by the y-protocols auth message), from a connection that
 * keeps a replica of the server's documents but never echoes its own edits.
 *
 * Used by tests/integration/rule-gate.test.ts and hostile-fuzz.test.ts (rules
 * G1–G6 of docs/SPEC.md). Everything here is test-only.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { io, type Socket } from 'socket.io-client';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  MESSAGE,
  type ClientToServerEvents,
  type ConnectErrorData,
  type Denial,
  type DenialCode,
  type ServerToClientEvents,
  type SessionInfo,
  type UpdateAck,
} from '../../shared/protocol';
import { DOC_KINDS, type DocKind } from '../../shared/schema';
import { mintPerson } from './clients';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Origin of changes received from the server in replicas (never sent back). */
const FROM_SERVER = Symbol('from-server');

// ---- frames -----------------------------------------------------------------

/** `[0 sync][2 update][update]`: what every client sends for a change. */
export function updateFrame(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE.sync);
  syncProtocol.writeUpdate(enc, update);
  return encoding.toUint8Array(enc);
}

/** `[0 sync][0 step 1][state vector]`. */
export function step1Frame(doc: Y.Doc): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE.sync);
  syncProtocol.writeSyncStep1(enc, doc);
  return encoding.toUint8Array(enc);
}

/** The reason of a y-protocols auth "permission denied" frame, or null for any other frame. */
export function deniedReason(frame: Uint8Array): string | null {
  try {
    const dec = decoding.createDecoder(frame);
    if (decoding.readVarUint(dec) !== MESSAGE.auth) return null;
    if (decoding.readVarUint(dec) !== 0) return null;
    return decoding.readVarString(dec);
  } catch {
    return null;
  }
}

// ---- crafting -----------------------------------------------------------------

let nextClientId = 0x2000_0000;
/** A Yjs client id nobody else uses (distinct per call, deterministic per process). */
export const freshClientId = (): number => nextClientId++;

/** A copy of `base`'s state that writes under `clientId`. */
export function forkOf(base: Y.Doc, clientId: number): Y.Doc {
  const fork = new Y.Doc();
  Y.applyUpdate(fork, Y.encodeStateAsUpdate(base));
  // Applying a state that holds our id makes Yjs pick another one: set it afterwards.
  fork.clientID = clientId;
  return fork;
}

/**
 * The update an honest client writing under `clientId` would send for the
 * changes `fn` makes to a copy of `base` (one update per transaction, merged).
 * `base` itself is not changed.
 */
export function craft(base: Y.Doc, clientId: number, fn: (doc: Y.Doc) => void): Uint8Array {
  const fork = forkOf(base, clientId);
  const updates: Uint8Array[] = [];
  fork.on('update', (u: Uint8Array) => updates.push(u));
  fn(fork);
  fork.destroy();
  if (updates.length === 0) throw new Error('craft: the change produced no update');
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
}

/** A JSON value of `depth` nested arrays (`[[[…]]]`). */
export function nestedArrays(depth: number): unknown {
  let v: unknown[] = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/**
 * Inserts `content` (any Yjs content class, including those our schema never
 * uses: ContentJSON, ContentBinary, ContentEmbed, ContentFormat, ContentDoc)
 * as the value of `key` in `map`, exactly as `Y.Map#set` would for its own.
 */
export function setRawContent(map: Y.Map<unknown>, key: string, content: Y.AbstractStruct | object): void {
  const doc = map.doc!;
  doc.transact((tr) => {
    const left = map._map.get(key) ?? null;
    const item = new Y.Item(
      Y.createID(doc.clientID, Y.getState(doc.store, doc.clientID)),
      left,
      left ? left.lastId : null,
      null,
      null,
      map,
      key,
      content as ConstructorParameters<typeof Y.Item>[7],
    );
    item.integrate(tr, 0);
  });
}

/** An id in a hand-written update. */
export interface RawId {
  client: number;
  clock: number;
}

/** One struct of a hand-written update (the subset of the V1 format the attacks need). */
export interface RawItem {
  id: RawId;
  origin?: RawId | null;
  rightOrigin?: RawId | null;
  /** Only written when the item has neither origin: a root name or the id of a type's item. */
  parent?: { root: string } | { item: RawId };
  /** Map key (only written without origins, like Yjs does). */
  parentSub?: string;
  content: { string: string } | { any: unknown[] } | { deleted: number } | { type: 'map' | 'text' };
}

const CONTENT_REF = { deleted: 1, string: 4, type: 7, any: 8 } as const;
/** Yjs type refs (YArrayRefID 0, YMapRefID 1, YTextRefID 2). */
const TYPE_REF = { map: 1, text: 2 } as const;

const contentLength = (c: RawItem['content']): number =>
  'string' in c ? c.string.length : 'any' in c ? c.any.length : 'deleted' in c ? c.deleted : 1;

/**
 * Encodes structs and deletions as a Yjs V1 update, byte by byte, without
 * going through a Y.Doc: updates that no honest document could produce
 * (clock gaps, origins or parents the server lacks, one struct per client id).
 * Each client's items must have consecutive clocks.
 */
export function rawUpdate(
  items: RawItem[],
  deletes: { client: number; clock: number; len: number }[] = [],
): Uint8Array {
  const enc = encoding.createEncoder();
  const byClient = new Map<number, RawItem[]>();
  for (const it of items) {
    const list = byClient.get(it.id.client) ?? [];
    list.push(it);
    byClient.set(it.id.client, list);
  }
  encoding.writeVarUint(enc, byClient.size);
  for (const [client, list] of byClient) {
    list.sort((a, b) => a.id.clock - b.id.clock);
    encoding.writeVarUint(enc, list.length);
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, list[0]!.id.clock);
    let expected = list[0]!.id.clock;
    for (const it of list) {
      if (it.id.clock !== expected) throw new Error('rawUpdate: clocks of one client must be consecutive');
      expected += contentLength(it.content);
      const origin = it.origin ?? null;
      const rightOrigin = it.rightOrigin ?? null;
      const kind =
        'string' in it.content
          ? 'string'
          : 'any' in it.content
            ? 'any'
            : 'type' in it.content
              ? 'type'
              : 'deleted';
      const info =
        CONTENT_REF[kind] |
        (origin ? 0x80 : 0) |
        (rightOrigin ? 0x40 : 0) |
        (it.parentSub !== undefined ? 0x20 : 0);
      encoding.writeUint8(enc, info);
      if (origin) {
        encoding.writeVarUint(enc, origin.client);
        encoding.writeVarUint(enc, origin.clock);
      }
      if (rightOrigin) {
        encoding.writeVarUint(enc, rightOrigin.client);
        encoding.writeVarUint(enc, rightOrigin.clock);
      }
      if (!origin && !rightOrigin) {
        const parent = it.parent ?? { root: 'notes' };
        if ('root' in parent) {
          encoding.writeVarUint(enc, 1);
          encoding.writeVarString(enc, parent.root);
        } else {
          encoding.writeVarUint(enc, 0);
          encoding.writeVarUint(enc, parent.item.client);
          encoding.writeVarUint(enc, parent.item.clock);
        }
        if (it.parentSub !== undefined) encoding.writeVarString(enc, it.parentSub);
      }
      const c = it.content;
      if ('string' in c) encoding.writeVarString(enc, c.string);
      else if ('type' in c) encoding.writeVarUint(enc, TYPE_REF[c.type]);
      else if ('any' in c) {
        encoding.writeVarUint(enc, c.any.length);
        for (const v of c.any) encoding.writeAny(enc, v as Parameters<typeof encoding.writeAny>[1]);
      } else encoding.writeVarUint(enc, c.deleted);
    }
  }
  const dsByClient = new Map<number, { clock: number; len: number }[]>();
  for (const d of deletes) {
    const list = dsByClient.get(d.client) ?? [];
    list.push({ clock: d.clock, len: d.len });
    dsByClient.set(d.client, list);
  }
  encoding.writeVarUint(enc, dsByClient.size);
  for (const [client, ranges] of dsByClient) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, ranges.length);
    for (const r of ranges) {
      encoding.writeVarUint(enc, r.clock);
      encoding.writeVarUint(enc, r.len);
    }
  }
  return encoding.toUint8Array(enc);
}

/**
 * `update` (which must delete nothing) with `deletes` as its delete set,
 * written as given: ranges may repeat or overlap, which Yjs's own encoder never does.
 */
export function withDeleteSet(
  update: Uint8Array,
  deletes: { client: number; clock: number; len: number }[],
): Uint8Array {
  if (Y.decodeUpdate(update).ds.clients.size > 0 || update[update.length - 1] !== 0)
    throw new Error('withDeleteSet: the update already deletes something');
  const ds = rawUpdate([], deletes);
  // `rawUpdate([], …)` starts with 0 clients of structs; the rest is the delete set.
  const out = new Uint8Array(update.length - 1 + ds.length - 1);
  out.set(update.subarray(0, update.length - 1), 0);
  out.set(ds.subarray(1), update.length - 1);
  return out;
}

/** The id of the item holding character `index` of `text` (to use as an origin). */
export function charId(text: Y.Text, index: number): RawId {
  let n: Y.Item | null = text._start;
  let i = index;
  while (n) {
    if (!n.deleted && n.countable) {
      if (i < n.length) return { client: n.id.client, clock: n.id.clock + i };
      i -= n.length;
    }
    n = n.right;
  }
  throw new Error(`charId: no character ${index}`);
}

/**
 * `count` one-character inserts between characters `at - 1` and `at` of
 * `text`, each under a client id of its own: the concurrent-insert pattern
 * whose integration cost grows with the square of its size.
 */
export function sameSpotInserts(text: Y.Text, at: number, count: number): Uint8Array {
  const origin = charId(text, at - 1);
  const rightOrigin = charId(text, at);
  const items: RawItem[] = [];
  for (let i = 0; i < count; i++)
    items.push({ id: { client: freshClientId(), clock: 0 }, origin, rightOrigin, content: { string: 'x' } });
  return rawUpdate(items);
}

// ---- identities -----------------------------------------------------------------

export interface Person {
  name: string;
  /** An issued identity (`mintPerson`); without it the server gives the connection one of its own. */
  userId?: string;
  key?: string;
}

/** A person issued on the board (`POST /api/boards/:id/people`, through `mintPerson`). */
export async function issuePerson(
  baseUrl: string,
  boardId: string,
  token: string,
  name: string,
): Promise<Person> {
  const { userId, key } = await mintPerson(baseUrl, boardId, token, name);
  return { userId, key, name };
}

/** Someone joining without an identity: the server gives each connection one of its own (not issued). */
export const guest = (name: string): Person => ({ name });

/** Query parameters of a y-websocket join as `person`. */
export const wsParams = (person: Person): Record<string, string> => ({
  name: person.name,
  ...(person.userId ? { userId: person.userId } : {}),
  ...(person.key ? { key: person.key } : {}),
});

// ---- hostile clients -----------------------------------------------------------------

/** What became of one update an attacker sent. */
export type Outcome =
  | { kind: 'accepted' }
  /** `code` is only known over Socket.io (the y-websocket auth message carries the reason only). */
  | { kind: 'refused'; code: DenialCode | null; reason: string }
  | { kind: 'closed'; code: number | null; reason: string }
  /** No answer in time (the server is stalled). */
  | { kind: 'timeout' };

export type Transport = 'socket.io' | 'y-websocket';
export const TRANSPORTS: readonly Transport[] = ['socket.io', 'y-websocket'];

/** One attacker, whatever the transport: replicas of the documents and a raw sender. */
export interface Attacker {
  readonly transport: Transport;
  readonly person: Person;
  /** The server's state, synced now (a step 1 and its answer); never edited locally. */
  replica(doc: DocKind): Promise<Y.Doc>;
  /** Sends one update as `[sync][update]` and waits until the server handled it. */
  send(doc: DocKind, update: Uint8Array): Promise<Outcome>;
  /** Sends arbitrary bytes as a frame of `doc`, then waits like `send`. */
  sendBytes(doc: DocKind, bytes: Uint8Array): Promise<Outcome>;
  /** Whether every connection this attacker opened is still open. */
  isOpen(): boolean;
  close(): void;
}

const withTimeout = <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> =>
  new Promise((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(fallback);
      },
    );
  });

/** Conditions waited for until something arrives (each attacker wakes them on every event). */
class Waiters {
  private readonly set = new Set<() => void>();

  wake(): void {
    for (const w of [...this.set]) w();
  }

  /** Resolves true once `cond` holds, or with `cond()` after `ms`. */
  until(cond: () => boolean, ms: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.set.delete(check);
        resolve(cond());
      }, ms);
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(t);
        this.set.delete(check);
        resolve(true);
      };
      this.set.add(check);
    });
  }
}

/**
 * A Socket.io connection that speaks our protocol by hand: it syncs replicas
 * of the three documents and sends whatever bytes it is given, with an ack.
 */
export class HostileSio implements Attacker {
  readonly transport = 'socket.io' as const;
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly docs = Object.fromEntries(DOC_KINDS.map((k) => [k, new Y.Doc()])) as Record<DocKind, Y.Doc>;
  readonly denials: Denial[] = [];
  session: SessionInfo | null = null;
  closing: ConnectErrorData | null = null;
  disconnected = false;
  private readonly step2Seen: Record<DocKind, number> = { agenda: 0, board: 0, tasks: 0, mine: 0 };
  private readonly waiters = new Waiters();

  constructor(
    url: string,
    boardId: string,
    token: string,
    readonly person: Person,
    opts: { transports?: ('websocket' | 'polling')[] } = {},
  ) {
    this.socket = io(url, {
      auth: {
        board: boardId,
        token,
        name: person.name,
        ...(person.userId ? { userId: person.userId } : {}),
        ...(person.key ? { key: person.key } : {}),
      },
      transports: opts.transports ?? ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.socket.on('session', (s) => {
      this.session = s;
      this.wake();
    });
    this.socket.on('denied', (d) => this.denials.push(d));
    this.socket.on('closing', (c) => {
      this.closing = c;
      this.wake();
    });
    this.socket.on('disconnect', () => {
      this.disconnected = true;
      this.wake();
    });
    this.socket.on('connect_error', () => {
      this.disconnected = true;
      this.wake();
    });
    this.socket.on('y', (doc, frame) => this.receive(doc, new Uint8Array(frame)));
    this.socket.on('connect', () => {
      for (const k of DOC_KINDS) this.socket.emit('y', k, step1Frame(this.docs[k]));
    });
    cleanups.push(() => this.close());
  }

  private wake(): void {
    this.waiters.wake();
  }

  private until(cond: () => boolean, ms: number): Promise<boolean> {
    return this.waiters.until(cond, ms);
  }

  private receive(doc: DocKind, frame: Uint8Array): void {
    const dec = decoding.createDecoder(frame);
    if (decoding.readVarUint(dec) !== MESSAGE.sync) return;
    const type = decoding.readVarUint(dec);
    // Step 1 from the server asks for our state: an attacker never answers it.
    if (type === syncProtocol.messageYjsSyncStep1) return;
    Y.applyUpdate(this.docs[doc], decoding.readVarUint8Array(dec), FROM_SERVER);
    if (type === syncProtocol.messageYjsSyncStep2) this.step2Seen[doc]++;
    this.wake();
  }

  /** Resolves once the session arrived and every document synced (false: refused or timed out). */
  ready(ms = 10_000): Promise<boolean> {
    return this.until(
      () => this.disconnected || (this.session !== null && DOC_KINDS.every((k) => this.step2Seen[k] > 0)),
      ms,
    ).then(() => !this.disconnected && this.session !== null);
  }

  /** Step 1 and wait for its step 2: the server handled everything sent before, and the replica is current. */
  async resync(doc: DocKind, ms = 20_000): Promise<boolean> {
    const before = this.step2Seen[doc];
    this.socket.emit('y', doc, step1Frame(this.docs[doc]));
    return this.until(() => this.disconnected || this.step2Seen[doc] > before, ms).then(
      () => this.step2Seen[doc] > before,
    );
  }

  async replica(doc: DocKind): Promise<Y.Doc> {
    if (!this.session) await this.ready();
    await this.resync(doc);
    return this.docs[doc];
  }

  isOpen(): boolean {
    return this.socket.connected && !this.disconnected && this.closing === null;
  }

  send(doc: DocKind, update: Uint8Array): Promise<Outcome> {
    return this.sendBytes(doc, updateFrame(update));
  }

  async sendBytes(doc: DocKind, bytes: Uint8Array, ms = 20_000): Promise<Outcome> {
    if (!this.isOpen()) return { kind: 'closed', code: this.closing?.code ?? null, reason: 'not open' };
    const deniedBefore = this.denials.length;
    const ack = new Promise<UpdateAck | 'closed'>((resolve) => {
      const onGone = (): void => resolve('closed');
      this.socket.once('disconnect', onGone);
      (this.socket as unknown as Socket).emit('y', doc, bytes, (res: UpdateAck) => {
        this.socket.off('disconnect', onGone);
        resolve(res);
      });
    });
    const res = await withTimeout<UpdateAck | 'closed' | 'timeout'>(ack, ms, 'timeout');
    if (res === 'timeout') {
      // A frame without an update (or one the server ignores) gets no ack: the step 2 tells.
      if (!(await this.resync(doc, ms))) return { kind: 'timeout' };
    }
    if (res === 'closed' || !this.isOpen()) {
      await this.until(() => this.closing !== null, 1000);
      return { kind: 'closed', code: this.closing?.code ?? null, reason: this.closing?.reason ?? '' };
    }
    if (res !== 'timeout' && !res.ok) {
      const denial = this.denials.slice(deniedBefore).find((d) => d.doc === doc);
      return { kind: 'refused', code: denial?.code ?? null, reason: denial?.reason ?? res.error ?? '' };
    }
    const denial = this.denials.slice(deniedBefore).find((d) => d.doc === doc);
    if (denial) return { kind: 'refused', code: denial.code, reason: denial.reason };
    // Bring the replica up to date (the only writer of a tick is not sent its own change).
    await this.resync(doc, ms);
    return { kind: 'accepted' };
  }

  close(): void {
    this.socket.disconnect();
    for (const k of DOC_KINDS) this.docs[k].destroy();
  }
}

/** One raw WebSocket on the y-websocket endpoint for one document. */
export class HostileWsConnection {
  readonly replica = new Y.Doc();
  readonly denials: string[] = [];
  closed: { code: number; reason: string } | null = null;
  private step2Seen = 0;
  private readonly waiters = new Waiters();

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data) => this.receive(new Uint8Array(data as Buffer)));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  static async open(url: string, ms = 10_000): Promise<HostileWsConnection> {
    const ws = new WebSocket(url);
    const conn = new HostileWsConnection(ws);
    cleanups.push(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('close', () => resolve());
    });
    if (ws.readyState === WebSocket.OPEN) await conn.resync(ms);
    return conn;
  }

  private wake(): void {
    this.waiters.wake();
  }

  private until(cond: () => boolean, ms: number): Promise<boolean> {
    return this.waiters.until(cond, ms);
  }

  private receive(frame: Uint8Array): void {
    const reason = deniedReason(frame);
    if (reason !== null) {
      this.denials.push(reason);
      this.wake();
      return;
    }
    const dec = decoding.createDecoder(frame);
    if (decoding.readVarUint(dec) !== MESSAGE.sync) return;
    const type = decoding.readVarUint(dec);
    if (type === syncProtocol.messageYjsSyncStep1) return;
    Y.applyUpdate(this.replica, decoding.readVarUint8Array(dec), FROM_SERVER);
    if (type === syncProtocol.messageYjsSyncStep2) this.step2Seen++;
    this.wake();
  }

  isOpen(): boolean {
    return this.closed === null && this.ws.readyState === WebSocket.OPEN;
  }

  async resync(ms = 20_000): Promise<boolean> {
    if (!this.isOpen()) return false;
    const before = this.step2Seen;
    this.ws.send(step1Frame(this.replica));
    await this.until(() => this.closed !== null || this.step2Seen > before, ms);
    return this.step2Seen > before;
  }

  /** Sends bytes, then a step 1: its answer comes after the server handled the bytes. */
  async sendBytes(bytes: Uint8Array, ms = 20_000): Promise<Outcome> {
    if (!this.isOpen()) return { kind: 'closed', code: this.closed?.code ?? null, reason: 'not open' };
    const deniedBefore = this.denials.length;
    this.ws.send(bytes);
    const answered = await this.resync(ms);
    if (this.closed) return { kind: 'closed', code: this.closed.code, reason: this.closed.reason };
    const denial = this.denials[deniedBefore];
    if (denial !== undefined) return { kind: 'refused', code: null, reason: denial };
    return answered ? { kind: 'accepted' } : { kind: 'timeout' };
  }
}

/** An attacker on the y-websocket endpoint: one raw connection per document, opened on first use. */
export class HostileWs implements Attacker {
  readonly transport = 'y-websocket' as const;
  private readonly conns = new Map<DocKind, Promise<HostileWsConnection>>();

  constructor(
    private readonly wsUrl: string,
    private readonly boardId: string,
    private readonly token: string,
    readonly person: Person,
  ) {}

  connection(doc: DocKind): Promise<HostileWsConnection> {
    let c = this.conns.get(doc);
    if (!c) {
      const q = new URLSearchParams({ token: this.token, ...wsParams(this.person) });
      c = HostileWsConnection.open(`${this.wsUrl}/yjs/${this.boardId}/${doc}?${q.toString()}`).then(
        (conn) => {
          this.opened.push(conn);
          return conn;
        },
      );
      this.conns.set(doc, c);
    }
    return c;
  }

  async replica(doc: DocKind): Promise<Y.Doc> {
    const conn = await this.connection(doc);
    await conn.resync();
    return conn.replica;
  }

  async send(doc: DocKind, update: Uint8Array): Promise<Outcome> {
    return (await this.connection(doc)).sendBytes(updateFrame(update));
  }

  async sendBytes(doc: DocKind, bytes: Uint8Array): Promise<Outcome> {
    return (await this.connection(doc)).sendBytes(bytes);
  }

  private readonly opened: HostileWsConnection[] = [];

  /** Every connection opened so far is still open. */
  isOpen(): boolean {
    return this.opened.length > 0 && this.opened.every((c) => c.isOpen());
  }

  /** Opens (and syncs) the connections of `docs` now. */
  async open(...docs: DocKind[]): Promise<void> {
    for (const d of docs) await this.connection(d);
  }

  close(): void {
    for (const c of this.opened) c.ws.terminate();
  }
}

/** An attacker of `transport` on `boardId`, its connections open and synced. */
export async function attacker(
  transport: Transport,
  server: { url: string; wsUrl: string },
  boardId: string,
  token: string,
  person: Person,
  docs: readonly DocKind[] = DOC_KINDS,
): Promise<Attacker> {
  if (transport === 'socket.io') {
    const a = new HostileSio(server.url, boardId, token, person);
    if (!(await a.ready())) throw new Error(`attacker could not join: ${JSON.stringify(a.closing)}`);
    return a;
  }
  const a = new HostileWs(server.wsUrl, boardId, token, person);
  await a.open(...docs);
  return a;
}
