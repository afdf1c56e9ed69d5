import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log';
import type { Relay, RelayKind } from './relay';

const ID_BYTES = 8;
const KIND_UPDATE = 0;
const KIND_AWARENESS = 1;

/**
 * Redis pub/sub relay between server instances (`REDIS_URL`). One channel per
 * document; each message is `[instance id (8 bytes)][kind (1 byte)][payload]`
 * so an instance ignores its own publications. Updates are stored by the instance that
 * accepted them before they are published, so receivers never store them.
 */
export class RedisRelay implements Relay {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly id = randomBytes(ID_BYTES);
  private readonly handlers = new Map<string, Set<(kind: RelayKind, payload: Uint8Array) => void>>();

  constructor(
    url: string,
    private readonly log: Logger,
    private readonly prefix = 'plenary:doc:',
  ) {
    this.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.sub = new Redis(url, { lazyConnect: false });
    for (const c of [this.pub, this.sub])
      c.on('error', (e: Error) => this.log.warn({ err: e.message }, 'redis'));
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (message.length < ID_BYTES + 1 || message.subarray(0, ID_BYTES).equals(this.id)) return;
      const kind: RelayKind | null =
        message[ID_BYTES] === KIND_UPDATE
          ? 'update'
          : message[ID_BYTES] === KIND_AWARENESS
            ? 'awareness'
            : null;
      if (!kind) return;
      const name = channel.toString().slice(this.prefix.length);
      const payload = new Uint8Array(message.subarray(ID_BYTES + 1));
      for (const h of this.handlers.get(name) ?? []) h(kind, payload);
    });
  }

  /** Resolves once both connections are ready (tests use it to avoid racing the first publish). */
  async ready(): Promise<void> {
    await Promise.all(
      [this.pub, this.sub].map((c) =>
        c.status === 'ready' ? undefined : new Promise<void>((r) => c.once('ready', () => r())),
      ),
    );
  }

  publish(docName: string, kind: RelayKind, payload: Uint8Array): void {
    const tag = Buffer.from([kind === 'update' ? KIND_UPDATE : KIND_AWARENESS]);
    this.pub
      .publish(this.prefix + docName, Buffer.concat([this.id, tag, payload]))
      .catch((e: Error) => this.log.error({ err: e.message, doc: docName }, 'relay publish failed'));
  }

  async subscribe(
    docName: string,
    onMessage: (kind: RelayKind, payload: Uint8Array) => void,
  ): Promise<() => void> {
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

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
