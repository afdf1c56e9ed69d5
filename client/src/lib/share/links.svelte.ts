import type * as Y from 'yjs';
import { readLinkSignal, type LinkSignal } from '$shared/ops/roster';
import type { BoardLinks, JoinInfo } from '$shared/protocol/sharing';
import { boardInfo, ROLES, type Role } from '$shared/schema';
import { YView } from '../sync/reactive.svelte';
import { keepBoard, listBoards } from './boards-book';

/**
 * A board's links as this device may show them (LK1–LK4, JN1): organizers
 * ask the server for the current three (any organizer device, not only the
 * one that created the board); everyone asks whether the projector shows how
 * to join. The board document's link signal says when to ask again, so a
 * panel showing a link replaced elsewhere updates itself without polling.
 */

const SAFE = /^[A-Za-z0-9_-]{8,128}$/;
const NOT_SHOWN: JoinInfo = { shown: false, code: null, url: null };

export interface SharedLinksOptions {
  boardId: string;
  /** This device's link token and its role. */
  token: string;
  role: Role;
  /** The board document (its `info` carries the link signal). */
  board: Y.Doc;
  fetch?: typeof fetch;
}

export class SharedLinks {
  /** The tokens known for each role: the server's (organizers), else those this browser holds. */
  tokens = $state.raw<Partial<Record<Role, string>>>({});
  /** Organizers: the roles whose link the server does not know (a board made before links were kept). */
  unknown = $state.raw<Role[]>([]);
  join = $state.raw<JoinInfo>(NOT_SHOWN);
  /** Set once the first answers arrived. */
  loaded = $state(false);
  /** What went wrong with the last request, or ''. */
  problem = $state('');
  /** A link that changed since the panel opened, without this device replacing it ('' otherwise). */
  changedElsewhere = $state<Role | ''>('');

  readonly #o: SharedLinksOptions;
  readonly #signal: YView<LinkSignal>;
  #replacing: Role | null = null;

  constructor(o: SharedLinksOptions) {
    this.#o = o;
    this.#signal = new YView(boardInfo(o.board), () => readLinkSignal(o.board));
    const kept = listBoards().find((b) => b.id === o.boardId)?.tokens ?? {};
    this.tokens = { ...kept, [o.role]: o.token };
  }

  /** When a link or the join code last changed (read it in an effect to follow the board). */
  get signal(): LinkSignal {
    return this.#signal.current;
  }

  get #base(): string {
    return `/api/boards/${encodeURIComponent(this.#o.boardId)}`;
  }

  async #call(path: string, init: RequestInit = {}): Promise<Response> {
    const f = this.#o.fetch ?? ((...a: Parameters<typeof fetch>) => globalThis.fetch(...a));
    return f(`${this.#base}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${this.#o.token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
  }

  /** Asks the server again: the links (organizers) and how to join. */
  async load(): Promise<void> {
    try {
      if (this.#o.role === 'organizer') await this.#loadLinks(true);
      const res = await this.#call('/join');
      if (res.ok) this.join = readJoin(await res.json());
      this.problem = '';
    } catch {
      this.problem = 'Could not reach the server: the links shown may be out of date.';
    } finally {
      this.loaded = true;
    }
  }

  async #loadLinks(teach: boolean): Promise<void> {
    const res = await this.#call('/links');
    if (!res.ok) throw new Error(String(res.status));
    const body = (await res.json()) as Partial<BoardLinks>;
    const next: Partial<Record<Role, string>> = {};
    const unknown: Role[] = [];
    for (const role of ROLES) {
      const t = body[role]?.token;
      if (typeof t === 'string' && SAFE.test(t)) next[role] = t;
      else unknown.push(role);
    }
    // A board made before links were kept: this browser may still hold a link the server lacks.
    const held = unknown.filter((r) => this.tokens[r] !== undefined);
    if (teach && held.length > 0) {
      const taught = await Promise.all(
        held.map((r) =>
          this.#call(`/links/${r}`, { method: 'PUT', body: JSON.stringify({ token: this.tokens[r] }) }),
        ),
      );
      if (taught.some((t) => t.ok)) return this.#loadLinks(false);
    }
    for (const role of ROLES) {
      const before = this.tokens[role];
      if (this.loaded && before && next[role] && before !== next[role] && this.#replacing !== role)
        this.changedElsewhere = role;
    }
    this.tokens = next;
    this.unknown = unknown;
    keepBoard({ id: this.#o.boardId, tokens: next });
  }

  /** Replaces one role's link (B2); the new token, or null with `problem` set. */
  async rotate(role: Role): Promise<string | null> {
    this.#replacing = role;
    try {
      const res = await this.#call(`/links/${role}/rotate`, { method: 'POST' });
      const body = (await res.json().catch(() => null)) as { token?: unknown } | null;
      if (!res.ok || typeof body?.token !== 'string' || !SAFE.test(body.token)) {
        this.problem = `The ${role} link could not be replaced (the server answered ${res.status}).`;
        return null;
      }
      this.tokens = { ...this.tokens, [role]: body.token };
      this.unknown = this.unknown.filter((r) => r !== role);
      keepBoard({ id: this.#o.boardId, tokens: { [role]: body.token } });
      this.problem = '';
      return body.token;
    } catch {
      this.problem = 'Could not reach the server: the link was not replaced.';
      return null;
    } finally {
      this.#replacing = null;
    }
  }

  /** Organizers: "Show how to join" on the projector (JN1). */
  async showJoin(shown: boolean): Promise<void> {
    try {
      const res = await this.#call('/join', { method: 'PUT', body: JSON.stringify({ shown }) });
      if (res.status === 409) {
        this.problem =
          'The server does not know this board’s participant link yet: replace it once (Participant tab), then switch this on.';
        return;
      }
      if (!res.ok) {
        this.problem = `The server answered ${res.status}: nothing changed.`;
        return;
      }
      this.join = readJoin(await res.json());
      this.problem = '';
    } catch {
      this.problem = 'Could not reach the server: nothing changed.';
    }
  }
}

function readJoin(v: unknown): JoinInfo {
  const j = v as Partial<JoinInfo> | null;
  return j?.shown === true && typeof j.code === 'string' && typeof j.url === 'string'
    ? { shown: true, code: j.code, url: j.url }
    : NOT_SHOWN;
}
