import { isSafeKey } from '$shared/schema';
import type { BoardSessionApi } from '../sync/types';
import { fetchSvg, pngFileName, saveBlob, svgDataUrl, svgToPng } from './picture';

/** One entry of `GET /api/boards/:id/snapshots` (docs/protocol.md, History per talk). */
export interface SnapshotInfo {
  id: string;
  label: string;
  createdAt: number;
  itemId: string | null;
  kind: 'talk' | 'manual' | 'restore';
}

/** The server keeps at most 50 per board; read no more than that and some spare. */
const MAX_SNAPSHOTS = 200;
export const MAX_LABEL = 120;

/** Reads the snapshot list, trusting nothing: malformed entries are dropped; newest first. */
export function parseSnapshots(json: unknown): SnapshotInfo[] {
  const list = (json as { snapshots?: unknown } | null)?.snapshots;
  if (!Array.isArray(list)) return [];
  const out: SnapshotInfo[] = [];
  for (const s of list.slice(-MAX_SNAPSHOTS)) {
    const o = (s ?? {}) as Record<string, unknown>;
    const { id, label, createdAt, itemId, kind } = o;
    if (typeof id !== 'string' || !isSafeKey(id) || id.length > 100) continue;
    if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) continue;
    out.push({
      id,
      label: typeof label === 'string' ? label.slice(0, MAX_LABEL) : '',
      createdAt,
      itemId: typeof itemId === 'string' ? itemId : null,
      kind: kind === 'talk' || kind === 'restore' ? kind : 'manual',
    });
  }
  return out.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
}

/** "Viewing the board after talk 2" from a snapshot's label ("After talk 2"). */
export function viewingSentence(s: Pick<SnapshotInfo, 'label'>): string {
  const label = s.label.trim();
  if (/^after\s/i.test(label)) return `Viewing the board after ${label.replace(/^after\s+/i, '')}`;
  return label ? `Viewing the board as saved: “${label}”` : 'Viewing a saved version of the board';
}

/** A snapshot's time in the viewer's own zone and language. */
export function snapshotTime(at: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- formatted once, never mutated
  }).format(new Date(at));
}

/**
 * The board's history per talk (issue 11): the timeline of snapshots, one
 * of them shown read-only as a picture, and the organizer's "Save a snapshot
 * now" and "Restore this version". All through the HTTP API with the link's
 * bearer token; the documents are not touched here (a restore is the
 * server's change, which every client receives).
 */
export class HistoryState {
  open = $state(false);
  snapshots = $state<SnapshotInfo[]>([]);
  viewing = $state<SnapshotInfo | null>(null);
  /** The viewed snapshot's board.svg as a data: URL. */
  image = $state<string | null>(null);
  busy = $state(false);
  error = $state('');
  notice = $state('');

  constructor(
    private readonly session: Pick<BoardSessionApi, 'boardId' | 'token' | 'title'>,
    private readonly fetcher: typeof fetch = (...a) => fetch(...a),
  ) {}

  #api(path: string): string {
    return `/api/boards/${encodeURIComponent(this.session.boardId)}/${path}`;
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.fetcher(this.#api(path), {
      method,
      headers: {
        authorization: `Bearer ${this.session.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      const message = await res
        .json()
        .then((j: { error?: { message?: string } }) => j.error?.message)
        .catch(() => undefined);
      throw new Error(message ?? `The server answered ${res.status}.`);
    }
    return res.json();
  }

  async #task(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await fn();
    } catch (e) {
      this.error =
        e instanceof TypeError
          ? 'No connection to the server: try again in a moment.'
          : String((e as Error).message ?? e);
    } finally {
      this.busy = false;
    }
  }

  /** Opens the timeline and reads it afresh. */
  async show(): Promise<void> {
    this.open = true;
    await this.load();
  }

  async load(): Promise<void> {
    await this.#task(async () => {
      this.snapshots = parseSnapshots(await this.#call('GET', 'snapshots'));
    });
  }

  /** Shows the board as it was at `s`, read-only. */
  async view(s: SnapshotInfo): Promise<void> {
    await this.#task(async () => {
      const svg = await fetchSvg(
        this.#api(`snapshots/${encodeURIComponent(s.id)}/board.svg`),
        this.session.token,
        this.fetcher,
      );
      this.viewing = s;
      this.image = svgDataUrl(svg);
    });
  }

  /** "Back to now". */
  back(): void {
    this.viewing = null;
    this.image = null;
  }

  close(): void {
    this.back();
    this.open = false;
    this.error = '';
    this.notice = '';
  }

  /** Organizer: a snapshot of the board as it is now (200 with the newest one when nothing changed). */
  async save(label: string): Promise<void> {
    await this.#task(async () => {
      await this.#call('POST', 'snapshots', { label: label.trim().slice(0, MAX_LABEL) });
      this.snapshots = parseSnapshots(await this.#call('GET', 'snapshots'));
      this.notice = 'Snapshot saved.';
    });
  }

  /** Organizer: brings the board back to `s` as a new change everyone receives. */
  async restore(s: SnapshotInfo): Promise<void> {
    await this.#task(async () => {
      await this.#call('POST', `snapshots/${encodeURIComponent(s.id)}/restore`);
      this.back();
      this.snapshots = parseSnapshots(await this.#call('GET', 'snapshots'));
      this.notice = `The board is back to “${s.label}” for everyone.`;
    });
  }

  /** "Download PNG": the board as it is now (board.svg; of one talk with `itemId`), drawn in the page. */
  async downloadPng(itemId: string | null = null): Promise<void> {
    await this.#task(async () => {
      const query = itemId === null ? '' : `?itemId=${encodeURIComponent(itemId)}`;
      const svg = await fetchSvg(this.#api(`board.svg${query}`), this.session.token, this.fetcher);
      saveBlob(await svgToPng(svg), pngFileName(this.session.title));
    });
  }
}
