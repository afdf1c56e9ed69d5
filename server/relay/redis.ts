import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log';
import { MAX_AUTHORS, type ControlMessage, type Relay, type RelayHandler, type RelayKind } from './relay';

const ID_BYTES = 8;
/** The publish time (ms since the epoch, float64) after the kind: receivers measure the relay lag. */
const SENT_AT_BYTES = 8;
const HEADER_BYTES = ID_BYTES + 1 + SENT_AT_BYTES;
const KINDS: readonly RelayKind[] = ['update', 'awareness', 'state'];
const CONTROL_BYTES = 4096;

/**
 * Redis pub/sub relay between server instances (`REDIS_URL`). One channel per
 * document; each message is `[instance id (8 bytes)][kind (1 byte)][sent at (8 bytes)][payload]`
 * so an instance ignores its own publications and knows how late a message arrived. Updates are stored by the instance that
 * accepted them before they are published, so receivers never store them.
 *
 * Pub/sub delivers at most once: whatever is published while a subscriber's
 * link is down is lost to it. The rooms' periodic `state` check repairs that
 * (server/sync/relay-check.ts); this class only says when the link came back.
 * One more channel, `<prefix>control`, carries server-wide control messages as JSON.
 */
export class RedisRelay implements Relay {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly id = randomBytes(ID_BYTES);
  private readonly handlers = new Map<string, Set<RelayHandler>>();
  private readonly resubscribed = new Set<() => void>();
  private readonly controlHandlers = new Set<(message: ControlMessage) => void>();
  private readonly lagListeners = new Set<(seconds: number) => void>();
  private subWasReady = false;
  private controlSubscribed: Promise<unknown> | null = null;
  private subBroken = false;
  readonly active = true;

  constructor(
    url: string,
    private readonly log: Logger,
    private readonly prefix = 'plenary:doc:',
  ) {
    // Named, so that an operator (or a test) can tell the connections apart in CLIENT LIST.
    const name = (role: string): string => `plenary-${role}-${this.instanceId}`;
    this.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3, connectionName: name('pub') });
    this.sub = new Redis(url, { lazyConnect: false, connectionName: name('sub') });
    for (const c of [this.pub, this.sub])
      c.on('error', (e: Error) => this.log.warn({ err: e.message }, 'redis'));
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (message.length < ID_BYTES + 1 || message.subarray(0, ID_BYTES).equals(this.id)) return;
      const name = channel.toString();
      if (name === this.controlChannel) return this.receiveControl(message.subarray(ID_BYTES));
      const kind = KINDS[message[ID_BYTES]!];
      if (!kind || message.length < HEADER_BYTES) return;
      const lag = (Date.now() - message.readDoubleBE(ID_BYTES + 1)) / 1000;
      for (const l of this.lagListeners) l(lag);
      const from = message.subarray(0, ID_BYTES).toString('hex');
      const payload = new Uint8Array(message.subarray(HEADER_BYTES));
      for (const h of this.handlers.get(name.slice(this.prefix.length)) ?? []) h(kind, payload, from);
    });
    // ioredis resubscribes by itself after a reconnect; what was published meanwhile is gone.
    this.sub.on('close', () => {
      if (this.subWasReady) this.subBroken = true;
    });
    this.sub.on('ready', () => {
      this.subWasReady = true;
      if (!this.subBroken) return;
      this.subBroken = false;
      this.log.warn({}, 'relay subscriber reconnected; checking for missed updates');
      for (const l of this.resubscribed) l();
    });
  }

  /** This instance's id on the relay (hex), as other instances see it. */
  get instanceId(): string {
    return this.id.toString('hex');
  }

  /** Resolves once both connections are ready (tests use it to avoid racing the first publish). */
  async ready(): Promise<void> {
    await Promise.all(
      [this.pub, this.sub].map((c) =>
        c.status === 'ready' ? undefined : new Promise<void>((r) => c.once('ready', () => r())),
      ),
    );
  }

  private get controlChannel(): string {
    // Document names always hold a '/', so this channel is no document's.
    return this.prefix + 'control';
  }

  publish(docName: string, kind: RelayKind, payload: Uint8Array): void {
    const head = Buffer.alloc(1 + SENT_AT_BYTES);
    head[0] = KINDS.indexOf(kind);
    head.writeDoubleBE(Date.now(), 1);
    this.pub
      .publish(this.prefix + docName, Buffer.concat([this.id, head, payload]))
      .catch((e: Error) => this.log.error({ err: e.message, doc: docName }, 'relay publish failed'));
  }

  async subscribe(docName: string, onMessage: RelayHandler): Promise<() => void> {
    let set = this.handlers.get(docName);
    if (!set) {
      set = new Set();
      this.handlers.set(docName, set);
    }
    set.add(onMessage);
    // SUBSCRIBE is idempotent; awaiting it means nothing published from now on is missed.
    await this.sub.subscribe(this.prefix + docName);
    return () => {
      set.delete(onMessage);
      if (set.size === 0 && this.handlers.get(docName) === set) {
        this.handlers.delete(docName);
        void this.sub.unsubscribe(this.prefix + docName).catch(() => {});
      }
    };
  }

  onResubscribed(listener: () => void): () => void {
    this.resubscribed.add(listener);
    return () => this.resubscribed.delete(listener);
  }

  onLag(listener: (seconds: number) => void): () => void {
    this.lagListeners.add(listener);
    return () => this.lagListeners.delete(listener);
  }

  publishControl(message: ControlMessage): void {
    const body = Buffer.from(JSON.stringify(message));
    this.pub
      .publish(this.controlChannel, Buffer.concat([this.id, body]))
      .catch((e: Error) => this.log.error({ err: e.message, type: message.type }, 'control publish failed'));
  }

  async subscribeControl(onMessage: (message: ControlMessage) => void): Promise<() => void> {
    this.controlHandlers.add(onMessage);
    // One SUBSCRIBE for every listener: two sent while connecting can race ioredis's ready check.
    this.controlSubscribed ??= this.sub.subscribe(this.controlChannel);
    await this.controlSubscribed;
    return () => this.controlHandlers.delete(onMessage);
  }

  private receiveControl(body: Buffer): void {
    const message = body.length <= CONTROL_BYTES ? parseControl(body.toString()) : null;
    if (!message) return this.log.warn({ bytes: body.length }, 'malformed control message ignored');
    for (const h of this.controlHandlers) h(message);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.resubscribed.clear();
    this.controlHandlers.clear();
    this.lagListeners.clear();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ROLES = new Set(['organizer', 'participant', 'viewer']);

/** Control messages come from our own instances, but are still checked before they close anything. */
function parseControl(text: string): ControlMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const { type, boardId, role, userId, authors } = m as Record<string, unknown>;
  if (typeof boardId !== 'string' || !ID.test(boardId)) return null;
  if (type === 'board-deleted') return { type, boardId };
  if (type === 'close-link' && typeof role === 'string' && ROLES.has(role))
    return { type, boardId, role: role as 'organizer' | 'participant' | 'viewer' };
  if (type === 'person-removed' && typeof userId === 'string' && ID.test(userId))
    return { type, boardId, userId };
  if (type === 'questions' && Array.isArray(authors) && authors.length <= MAX_AUTHORS)
    return {
      type,
      boardId,
      authors: authors.filter((a): a is string => typeof a === 'string' && ID.test(a)),
    };
  return null;
}
