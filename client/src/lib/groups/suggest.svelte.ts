import type { GroupPlan } from '$shared/ops/groups';
import { MAX_GROUPS } from '$shared/policy';
import { isSafeKey, LIMITS } from '$shared/schema';
import type { BoardSessionApi } from '../sync/types';

/** One suggested group as the organizer edits it; `key` tells groups apart while they are renamed. */
export interface SuggestedGroup {
  key: number;
  title: string;
  noteIds: string[];
  /** Accepted in the review list (issue 20 item 10): only accepted groups are applied. */
  accepted: boolean;
}

/** At most this many note ids are read from one suggested group. */
const MAX_IDS = 2_000;

/**
 * Reads the answer of `POST /api/boards/:id/groups/suggest` (GR4), trusting
 * nothing: unknown shapes are dropped, titles and lists are bounded, a note
 * is in one suggested group at most, and a group needs two notes.
 */
export function parseSuggestion(json: unknown): SuggestedGroup[] {
  const groups = (json as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(groups)) return [];
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local bookkeeping, never rendered
  const seen = new Set<string>();
  const out: SuggestedGroup[] = [];
  for (const g of groups.slice(0, MAX_GROUPS)) {
    const title = (g as { title?: unknown } | null)?.title;
    const ids = (g as { noteIds?: unknown } | null)?.noteIds;
    if (typeof title !== 'string' || !Array.isArray(ids)) continue;
    const noteIds: string[] = [];
    for (const id of ids.slice(0, MAX_IDS)) {
      if (typeof id !== 'string' || !isSafeKey(id) || seen.has(id)) continue;
      seen.add(id);
      noteIds.push(id);
    }
    if (noteIds.length >= 2)
      out.push({ key: out.length, title: title.slice(0, LIMITS.titleLength), noteIds, accepted: true });
  }
  return out;
}

/**
 * The organizer's suggested groups (GR4) while they look at them on the
 * canvas: fetched from the server, edited here (rename, leave a note out,
 * discard a group), then applied by `BoardState.applyPlan` in one undo step.
 * Nothing here touches the document.
 */
export class GroupSuggestion {
  groups = $state<SuggestedGroup[] | null>(null);
  busy = $state(false);
  error = $state('');

  constructor(
    private readonly session: Pick<BoardSessionApi, 'boardId' | 'token'>,
    private readonly fetcher: typeof fetch = (...a) => fetch(...a),
  ) {}

  get active(): boolean {
    return this.groups !== null;
  }

  /** Asks the server for a suggestion (of one talk with `itemId`). */
  async fetch(itemId: string | null = null): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const res = await this.fetcher(
        `/api/boards/${encodeURIComponent(this.session.boardId)}/groups/suggest`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${this.session.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(itemId === null ? {} : { itemId }),
        },
      );
      if (!res.ok) {
        this.error = `The server answered ${res.status}: no suggestion.`;
        return;
      }
      const groups = parseSuggestion(await res.json());
      this.groups = groups;
      if (groups.length === 0) this.error = 'No groups to suggest: the notes say too little in common.';
    } catch {
      this.error = 'No connection to the server: try again in a moment.';
    } finally {
      this.busy = false;
    }
  }

  rename(key: number, title: string): void {
    const g = this.groups?.find((x) => x.key === key);
    if (g) g.title = title.slice(0, LIMITS.titleLength);
  }

  /** Leaves a note out of a suggested group; a group left with one note is no group. */
  leaveOut(key: number, noteId: string): void {
    if (!this.groups) return;
    this.groups = this.groups
      .map((g) => (g.key === key ? { ...g, noteIds: g.noteIds.filter((n) => n !== noteId) } : g))
      .filter((g) => g.noteIds.length >= 2);
  }

  /** Accepts (the default) or rejects a suggested group in the review list; a rejected one is not applied. */
  setAccepted(key: number, accepted: boolean): void {
    if (this.groups) this.groups = this.groups.map((g) => (g.key === key ? { ...g, accepted } : g));
  }

  /** How many suggested groups Apply would make. */
  get acceptedCount(): number {
    return (this.groups ?? []).filter((g) => g.accepted).length;
  }

  discard(key: number): void {
    if (this.groups) this.groups = this.groups.filter((g) => g.key !== key);
  }

  cancel(): void {
    this.groups = null;
    this.error = '';
  }

  /** The plan to apply, as edited: the accepted groups only. */
  get plan(): GroupPlan[] {
    return (this.groups ?? [])
      .filter((g) => g.accepted)
      .map((g) => ({ title: g.title, noteIds: [...g.noteIds] }));
  }
}
