import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Denial, SessionInfo } from '../../../../shared/protocol';
import {
  agendaLive,
  DOC_KINDS,
  readLive,
  roleCanWrite,
  type DocKind,
  type Role,
} from '../../../../shared/schema';
import { SocketServerClock } from './clock.svelte';
import { colorFor, defaultStore, loadUserId, type KeyValueStore } from './identity';
import { YView } from './reactive.svelte';
import {
  SocketIoProvider,
  type ClientSocket,
  type ProviderFailure,
  type ProviderOptions,
  type ProviderStatus,
  type Transport,
} from './socketio-provider';
import type { BoardSessionApi, ConnectionState, LocalUser, PresenceState } from './types';

export interface BoardSessionOptions {
  boardId: string;
  token: string;
  /** Display name already chosen (the board page asks for it first). */
  name: string;
  /** Server origin; defaults to the page's own. */
  url?: string;
  store?: KeyValueStore | null;
  transports?: Transport[];
  /** For tests: build the socket. */
  connect?: ProviderOptions['connect'];
}

/** The header's honest state, from the provider's facts. */
export function connectionStateOf(
  status: ProviderStatus,
  everConnected: boolean,
  allSyncedNow: boolean,
  unsynced: number,
): ConnectionState {
  if (status === 'connected') return allSyncedNow && unsynced === 0 ? 'saved' : 'syncing';
  return everConnected ? 'offline' : status === 'failed' ? 'offline' : 'connecting';
}

/**
 * One person's live connection to one board: the three documents, their
 * awareness, the socket, the server clock and the reactive facts the UI shows.
 */
export class BoardSession implements BoardSessionApi {
  readonly boardId: string;
  readonly token: string;
  readonly user: LocalUser;
  readonly docs: Readonly<Record<DocKind, Y.Doc>>;
  readonly awareness: Readonly<Record<DocKind, Awareness>>;
  readonly clock: SocketServerClock;

  info = $state.raw<SessionInfo | null>(null);
  connection = $state<ConnectionState>('connecting');
  unsynced = $state(0);
  synced = $state(false);
  lastDenial = $state.raw<Denial | null>(null);
  /** Set when the server refused this link for good (wrong token, unknown board). */
  failure = $state.raw<ProviderFailure | null>(null);
  /** True once a local change of this session was stored: the badge then says "Saved". */
  savedOnce = $state(false);

  readonly #provider: SocketIoProvider;
  readonly #boardLocked: YView<boolean>;
  #everConnected = false;
  #wasConnected = false;
  #destroyed = false;

  constructor(opts: BoardSessionOptions) {
    this.boardId = opts.boardId;
    this.token = opts.token;
    const store = opts.store === undefined ? defaultStore() : opts.store;
    const id = loadUserId(store);
    this.user = { id, name: opts.name, color: colorFor(id) };

    const docs = {} as Record<DocKind, Y.Doc>;
    const awareness = {} as Record<DocKind, Awareness>;
    for (const kind of DOC_KINDS) {
      docs[kind] = new Y.Doc();
      awareness[kind] = new Awareness(docs[kind]);
    }
    this.docs = docs;
    this.awareness = awareness;
    this.#setPresence('viewer');

    const agenda = docs.agenda;
    this.#boardLocked = new YView(agendaLive(agenda), () => readLive(agenda).boardLocked);

    this.#provider = new SocketIoProvider({
      url: opts.url ?? globalThis.location?.origin ?? '',
      auth: { board: opts.boardId, token: opts.token, name: opts.name, userId: id },
      docs,
      awareness,
      transports: opts.transports,
      connect: opts.connect,
      handleUnload: true,
    });
    this.clock = new SocketServerClock({ ask: () => this.#provider.askServerTime() });
    this.#provider.onChange(() => this.#refresh());
    this.#refresh();
  }

  /** The underlying socket, for features that need an extra event. */
  get socket(): ClientSocket {
    return this.#provider.socket;
  }

  get role(): Role {
    // Read-only until the server said otherwise.
    return this.info?.role ?? 'viewer';
  }

  get title(): string {
    return this.info?.title ?? '';
  }

  canWrite(doc: DocKind): boolean {
    if (!roleCanWrite(this.role, doc)) return false;
    if (doc === 'board' && this.role === 'participant') return !this.#boardLocked.current;
    return true;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.clock.stop();
    this.#provider.destroy();
    for (const kind of DOC_KINDS) {
      this.awareness[kind].destroy();
      this.docs[kind].destroy();
    }
  }

  #setPresence(role: Role): void {
    const user: PresenceState['user'] = { ...this.user, role };
    for (const kind of DOC_KINDS) this.awareness[kind].setLocalStateField('user', user);
  }

  #refresh(): void {
    const p = this.#provider;
    const connected = p.status === 'connected';
    if (connected && !this.#wasConnected) {
      this.#everConnected = true;
      void this.clock.start();
    } else if (!connected && this.#wasConnected) {
      this.clock.stop();
    }
    this.#wasConnected = connected;

    if (p.session !== this.info) {
      this.info = p.session;
      if (p.session) this.#setPresence(p.session.role);
    }
    const unsynced = p.unsynced;
    if (p.storedCount > 0) this.savedOnce = true;
    this.unsynced = unsynced;
    this.synced = p.everSynced;
    this.lastDenial = p.lastDenial;
    this.failure = p.failure;
    this.connection = connectionStateOf(p.status, this.#everConnected, p.allSyncedNow, unsynced);
  }
}
