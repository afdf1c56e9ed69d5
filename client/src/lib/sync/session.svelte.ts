import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { type Denial, type QuestionsPush, type SessionInfo } from '$shared/protocol';
import { writeDenial, type Actor } from '$shared/policy';
import { readBoardTitle } from '$shared/ops/roster';
import { agendaLive, boardInfo, DOC_KINDS, readLive, type DocKind, type Role } from '$shared/schema';
import { SocketServerClock } from './clock.svelte';
import {
  cleanName,
  colorFor,
  defaultStore,
  PersonKeeper,
  removePerson,
  replaceParticipantLink,
  saveName,
  type KeyValueStore,
  type PeopleApi,
  type Person,
} from './identity';
import { keepBoard } from '../share/boards-book';
import { OfflineCopies } from './offline';
import { applyDocStates, type DocStates } from './prefetch';
import { YView } from './reactive.svelte';
import {
  SocketIoProvider,
  type ClientSocket,
  type ProviderFailure,
  type ProviderOptions,
  type Refusal,
  type Transport,
} from './socketio-provider';
import type { BoardSessionApi, ConnectionState, LocalUser, PresenceState } from './types';
import { connectionStateOf, gone, refusalMessage } from './connection-words';
import { knownRole, rememberRole } from './known-role';

export { connectionStateOf, describeFailure, LINK_REPLACED_REASON, refusalMessage } from './connection-words';

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
  /**
   * The board's documents fetched while the name prompt was open (DL3): put
   * into the documents when they arrive, so the board shows without waiting
   * for the live connection.
   */
  prefetched?: Promise<DocStates | null>;
  /** For tests: the people API's HTTP client. */
  fetch?: typeof fetch;
  /** For tests: how long refusals are collected before a document resets. */
  resetDelayMs?: number;
  /** Keep the documents in this browser (IndexedDB) for offline visits; default: where IndexedDB exists. */
  offline?: boolean;
}

/**
 * One person's live connection to one board: their identity on it, the three
 * documents, their awareness, the socket, the server clock and the reactive
 * facts the UI shows.
 *
 * Identity: on the first visit the session asks the server for one
 * (`POST /api/boards/:id/people`) and keeps it per board in localStorage; every
 * join proves it with the key. A 429 waits as long as the server says; a 4401
 * with a stored identity (the server forgot it) forgets it and asks for a new
 * one, once. A server without identities is joined without one.
 *
 * `generation` grows whenever what the UI built on the session is stale: a
 * document replaced after a refusal, or a new user id. Wrap what depends on
 * the documents in `{#key session.generation}`.
 */
export class BoardSession implements BoardSessionApi {
  readonly boardId: string;
  readonly token: string;
  readonly clock: SocketServerClock;

  /** Empty id until the identity is known (`ready`). */
  user = $state.raw<LocalUser>({ id: '', name: '', color: '#555555' });
  generation = $state(0);
  info = $state.raw<SessionInfo | null>(null);
  connection = $state<ConnectionState>('connecting');
  unsynced = $state(0);
  synced = $state(false);
  lastDenial = $state.raw<Denial | null>(null);
  /** The refusal behind the latest document reset, until dismissed. */
  refusal = $state.raw<Refusal | null>(null);
  /** Set when the server refused this link or person for good (wrong token, unknown board, removed). */
  failure = $state.raw<ProviderFailure | null>(null);
  /** True once a local change of this session was stored: the badge then says "Saved". */
  savedOnce = $state(false);
  /** Something about the identity worth saying ('' when nothing), e.g. waiting after a 429. */
  notice = $state('');
  /** When the next attempt behind `notice` is due (epoch ms), or null. */
  noticeRetryAt = $state<number | null>(null);
  /** Whether this person holds an identity issued by the server (false: this connection only). */
  issued = $state(false);
  /** The documents fetched while the name prompt was open are in (DL3). */
  #prefetchedIn = $state(false);

  #docs = $state.raw<Readonly<Record<DocKind, Y.Doc>>>({} as Record<DocKind, Y.Doc>);
  #awareness = $state.raw<Readonly<Record<DocKind, Awareness>>>({} as Record<DocKind, Awareness>);
  #boardLocked = $state.raw<YView<boolean> | null>(null);
  #boardTitle = $state.raw<YView<string> | null>(null);

  readonly #provider: SocketIoProvider;
  readonly #store: KeyValueStore | null;
  readonly #api: PeopleApi;
  readonly #keeper: PersonKeeper;
  readonly #offline: OfflineCopies | null;
  /** The role the server gave this link at the last visit (kept with the browser's copy). */
  #knownRole: Role | null = null;
  #resets = 0;
  #everConnected = false;
  #wasConnected = false;
  #destroyed = false;

  constructor(opts: BoardSessionOptions) {
    this.boardId = opts.boardId;
    this.token = opts.token;
    this.#store = opts.store === undefined ? defaultStore() : opts.store;
    const url = opts.url ?? globalThis.location?.origin ?? '';
    this.#api = { baseUrl: url, boardId: opts.boardId, token: opts.token, fetch: opts.fetch };
    this.#keeper = new PersonKeeper({
      api: this.#api,
      store: this.#store,
      onNotice: (text, retryAt) => {
        if (this.#destroyed) return;
        this.notice = text;
        this.noticeRetryAt = retryAt ?? null;
      },
    });
    this.user = { id: '', name: cleanName(opts.name), color: '#555555' };

    const docs = {} as Record<DocKind, Y.Doc>;
    const awareness = {} as Record<DocKind, Awareness>;
    for (const kind of DOC_KINDS) {
      docs[kind] = new Y.Doc();
      awareness[kind] = new Awareness(docs[kind]);
    }

    this.#provider = new SocketIoProvider({
      url,
      auth: () => this.#keeper.auth(this.token, this.user.name),
      docs,
      awareness,
      transports: opts.transports,
      connect: opts.connect,
      handleUnload: true,
      autoConnect: false,
      resetDelayMs: opts.resetDelayMs,
      recoverUnauthorized: () => this.#recoverUnauthorized(),
      isLoadedCopy: (origin) => this.#offline?.isCopy(origin) ?? false,
    });
    if (typeof window !== 'undefined') window.addEventListener('beforeunload', this.#askBeforeLeaving);
    this.#offline = (opts.offline ?? OfflineCopies.available()) ? new OfflineCopies(opts.boardId) : null;
    if (this.#offline) this.#knownRole = knownRole(this.#store, this.boardId, this.token);
    this.#adoptDocs();
    this.clock = new SocketServerClock({ ask: () => this.#provider.askServerTime() });
    this.#provider.onChange(() => this.#refresh());
    this.#refresh();
    void opts.prefetched?.then((states) => {
      if (!states || this.#destroyed) return;
      applyDocStates(this.#provider.docs, states);
      this.#prefetchedIn = true;
    });
    void this.#begin();
  }

  /** The underlying socket, for features that need an extra event. */
  get socket(): ClientSocket {
    return this.#provider.socket;
  }

  get docs(): Readonly<Record<DocKind, Y.Doc>> {
    return this.#docs;
  }

  get awareness(): Readonly<Record<DocKind, Awareness>> {
    return this.#awareness;
  }

  /** The identity is known: the board can be shown and written. */
  get ready(): boolean {
    return this.user.id !== '';
  }

  /**
   * The board can be shown: the identity is known, or the prefetched documents are in while it is
   * asked for (issue 18: the first paint does not wait for `POST /people`). Until the join, the
   * role is the one known from the last visit, else a viewer's: nothing is written under no identity.
   */
  get viewable(): boolean {
    return this.ready || this.#prefetchedIn;
  }

  /** Shown from the prefetched documents while the identity is still being asked for. */
  get joining(): boolean {
    return !this.ready && this.#prefetchedIn && this.failure === null;
  }

  get role(): Role {
    // Until the server says, the role this link had at the last visit (so a board reopened offline
    // can still be written; the server checks every change when it is back), else read-only.
    return this.info?.role ?? this.#knownRole ?? 'viewer';
  }

  /** The board's title: the latest rename (live, from the board document), else the join's. */
  get title(): string {
    return this.liveTitle || this.info?.title || '';
  }

  /** The title of the latest rename, as the board document carries it ('' before any rename). */
  get liveTitle(): string {
    return this.#boardTitle?.current ?? '';
  }

  /** This person as the rules see them (shared/policy). */
  get actor(): Actor {
    return {
      role: this.role,
      userId: this.user.id,
      pseudonym: this.info?.pseudonym ?? '',
      issued: this.info?.issued ?? false,
    };
  }

  /** Why this person may not write `doc` now (role, board lock), or null. */
  writeDenial(doc: DocKind): Denial | null {
    return writeDenial(this.role, doc, { boardLocked: this.#boardLocked?.current ?? false });
  }

  canWrite(doc: DocKind): boolean {
    return this.writeDenial(doc) === null;
  }

  /** What to say about the latest refused change, or ''. */
  get refusalText(): string {
    return this.refusal ? refusalMessage(this.refusal) : '';
  }

  dismissRefusal(): void {
    this.refusal = null;
  }

  /**
   * Changes this person's display name on the server (it validates it) and
   * reconnects, so the others' list of people shows it. Null when done, else why not.
   */
  async rename(name: string): Promise<string | null> {
    const clean = cleanName(name);
    if (clean === '') return 'Please enter the name others should see.';
    const r = await this.#keeper.rename(clean);
    if (!r.ok) {
      if (r.status === 0) return 'Could not reach the server: your name is unchanged. Try again in a moment.';
      return `Your name could not be changed: ${r.message}`;
    }
    const saved = r.name;
    if (this.#destroyed) return null;
    saveName(saved, this.#store);
    this.user = { ...this.user, name: saved };
    this.#setPresence(this.role);
    this.#provider.reconnect();
    return null;
  }

  /** Organizer: removes someone from this board. Null when done, else why not. */
  async removePerson(userId: string, name: string): Promise<string | null> {
    const r = await removePerson(this.#api, userId);
    if (r.ok) return null;
    if (r.status === 403) return `Only organizers can remove people from this board.`;
    if (r.status === 404)
      return `${name} could not be removed: they joined without a personal identity on this board.`;
    if (r.status === 0) return `Could not reach the server: ${name} was not removed.`;
    return `${name} could not be removed: ${r.message}`;
  }

  /**
   * Replaces the participant link after a removal, so the removed person cannot
   * come back with it under a new name (everyone else needs the new link). An
   * error to show, or null when done.
   */
  async replaceParticipantLink(): Promise<string | null> {
    const r = await replaceParticipantLink(this.#api);
    if (r.ok) {
      keepBoard({ id: this.boardId, tokens: { participant: r.token } });
      return null;
    }
    if (r.status === 0) return 'Could not reach the server: the participant link was not replaced.';
    return `The participant link could not be replaced: ${r.message}`;
  }

  onQuestions(listener: (push: QuestionsPush) => void): () => void {
    const socket = this.#provider.socket;
    socket.on('questions', listener);
    return () => void socket.off('questions', listener);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#keeper.stop();
    this.clock.stop();
    this.#offline?.destroy();
    if (typeof window !== 'undefined') window.removeEventListener('beforeunload', this.#askBeforeLeaving);
    this.#provider.destroy();
    for (const kind of DOC_KINDS) {
      this.#provider.awareness[kind].destroy();
      this.#provider.docs[kind].destroy();
    }
  }

  /** Leaving with changes the server has not acknowledged asks first (they stay in this browser anyway). */
  readonly #askBeforeLeaving = (e: BeforeUnloadEvent): void => {
    if (this.unsynced === 0) return;
    e.preventDefault();
    // Older browsers ask only when returnValue is set.
    e.returnValue = '';
  };

  /* ---------- identity ---------- */

  async #begin(): Promise<void> {
    const stored = this.#keeper.stored();
    // A returning person is known at once (the page shows the board while it loads).
    if (stored) this.#usePerson(stored);
    // A new person's identity is asked for at once, alongside the browser's copy (issue 18).
    const minted = stored ? null : this.#keeper.ensure(this.user.name);
    if (this.#offline) {
      // What this browser kept (written offline, maybe in a closed tab) is in the documents before
      // the first sync, so that the server's sync step 1 asks for it.
      await this.#offline.attach(this.#provider.docs);
      if (this.#destroyed) return;
    }
    if (stored) {
      this.#provider.start();
      return;
    }
    const r = await (minted ?? this.#keeper.ensure(this.user.name));
    if (this.#destroyed) return;
    if (!r.ok) {
      this.failure = { code: 4401, reason: r.reason };
      if (gone(this.failure)) void this.#offline?.forget();
      return;
    }
    if (r.person) this.#usePerson(r.person);
    else this.issued = false;
    this.#provider.start();
  }

  /** 4401 on join: with a stored identity the server no longer knows, get a new one, once. */
  async #recoverUnauthorized(): Promise<boolean> {
    const retry = await this.#keeper.recover(this.user.name);
    if (retry && this.#keeper.person && !this.#destroyed) this.#usePerson(this.#keeper.person);
    return retry;
  }

  #usePerson(p: Person): void {
    this.issued = true;
    this.#setUser(p.userId, p.name || this.user.name);
  }

  #setUser(id: string, name: string): void {
    const changedId = id !== this.user.id;
    const hadId = this.user.id !== '';
    this.user = { id, name, color: colorFor(id) };
    this.#setPresence(this.role);
    // What was built for the previous id (origins, "my votes") is stale.
    if (changedId && hadId) this.generation++;
  }

  /* ---------- documents and state ---------- */

  #adoptDocs(): void {
    const p = this.#provider;
    this.#docs = { ...p.docs };
    this.#awareness = { ...p.awareness };
    const agenda = p.docs.agenda;
    this.#boardLocked = new YView(agendaLive(agenda), () => readLive(agenda).boardLocked);
    const board = p.docs.board;
    this.#boardTitle = new YView(boardInfo(board), () => readBoardTitle(board));
  }

  #setPresence(role: Role): void {
    if (this.user.id === '') return;
    const user: PresenceState['user'] = { ...this.user, role };
    for (const kind of DOC_KINDS) this.#provider.awareness[kind].setLocalStateField('user', user);
  }

  #refresh(): void {
    if (this.#destroyed) return;
    const p = this.#provider;
    const connected = p.status === 'connected';
    if (connected && !this.#wasConnected) {
      this.#everConnected = true;
      void this.clock.start();
    } else if (!connected && this.#wasConnected) {
      this.clock.stop();
    }
    this.#wasConnected = connected;

    if (p.resets !== this.#resets) {
      // A refused change replaced a document: everything built on the old one goes, in the browser's copy too.
      this.#resets = p.resets;
      for (const kind of DOC_KINDS)
        if (p.docs[kind] !== this.#docs[kind]) void this.#offline?.replace(kind, p.docs[kind]);
      this.#adoptDocs();
      this.refusal = p.refusal;
      this.generation++;
    }

    if (p.session !== this.info) {
      this.info = p.session;
      if (p.session) {
        const s = p.session;
        if (this.#offline) rememberRole(this.#store, this.boardId, this.token, s.role);
        // The server's word on who this connection is (a per-connection id when unissued).
        this.issued = s.issued;
        if (s.userId !== this.user.id || (s.name !== '' && s.name !== this.user.name))
          this.#setUser(s.userId, s.name || this.user.name);
        this.#setPresence(s.role);
      }
    }
    const unsynced = p.unsynced;
    if (p.storedCount > 0) this.savedOnce = true;
    this.unsynced = unsynced;
    this.synced = p.everSynced;
    this.lastDenial = p.lastDenial;
    if (p.failure && p.failure !== this.failure) {
      this.failure = p.failure;
      if (gone(p.failure)) void this.#offline?.forget();
    }
    this.connection = connectionStateOf(p.status, this.#everConnected, p.allSyncedNow, unsynced);
  }
}
