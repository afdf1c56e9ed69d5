import { createSubscriber } from 'svelte/reactivity';
import {
  addItem,
  backOnSchedule,
  removeItem,
  setCurrentItem,
  setMeta,
  shiftDelay,
  startItemNow,
  updateItem,
  type AgendaItemInput,
  type AgendaItemPatch,
  type AgendaMetaPatch,
} from '$shared/ops/agenda';
import {
  boardNotes,
  localOrigin,
  readAgenda,
  readNotes,
  type Agenda,
  type AgendaItem,
  type ItemKind,
  type Origin,
} from '$shared/schema';
import { formatCountdown, formatDelay } from '$shared/time/countdown';
import {
  currentScheduledAt,
  dayBounds,
  dayPhase,
  nextScheduledAt,
  planDate,
  scheduledItems,
  type DayPhase,
  type ScheduledItem,
} from '$shared/time/schedule';
import { dayTimeline } from '$shared/time/timeline';
import { dualTime, viewerTimeZone, type DualTime } from '$shared/time/zones';
import { YDocView, YView } from '../sync/reactive.svelte';
import { EditGuard } from '../sync/edit-guard.svelte';
import type { BoardSessionApi } from '../sync/types';

export const KIND_LABEL: Record<ItemKind, string> = {
  talk: 'Talk',
  break: 'Break',
  discussion: 'Discussion',
  other: 'Session',
};

export type RowStatus = 'done' | 'current' | 'upcoming';

/** One line of the timeline, ready to render. */
export interface AgendaRow {
  item: ScheduledItem;
  status: RowStatus;
  /** Actual (shifted) start in event and viewer zone. */
  time: DualTime;
  /** Planned start, shown next to the shifted one when they differ. */
  planned: DualTime | null;
  /** 0..1 while current, else null. */
  progress: number | null;
  /** Remaining ms while current (negative when overrunning), else null. */
  remainingMs: number | null;
}

/** The "now and next" line. */
export interface NowNext {
  phase: DayPhase;
  current: ScheduledItem | null;
  next: ScheduledItem | null;
  /** "Next: Marco Lorenzi in 4:12", "Starts in 1:02:03", "Ended", … */
  headline: string;
  /** "running 10 min late", or '' when on schedule. */
  delay: string;
}

/** What an import does to the live board (AG6; server/http/agenda.ts ImportChanges). */
export interface ImportChanges {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  removedTitles: string[];
  notesUntagged: number;
  tasksUnlinked: number;
  currentDate: string;
  pageDate: string;
}

/** What the import route answers (issue 3). */
export interface ImportPreview {
  meta: { title?: string; timeZone?: string; date?: string; links?: Record<string, string> };
  items: Omit<AgendaItem, 'id'>[];
  warnings: string[];
  changes?: ImportChanges;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * "2 items changed, 1 removed: 7 notes will lose their talk tag" — what the
 * preview warns about before an import replaces a live agenda.
 */
export function describeImportChanges(c: ImportChanges): string {
  const parts: string[] = [];
  if (c.added) parts.push(`${plural(c.added, 'item')} added`);
  if (c.changed) parts.push(`${parts.length ? c.changed : plural(c.changed, 'item')} changed`);
  if (c.removed) parts.push(`${parts.length ? c.removed : plural(c.removed, 'item')} removed`);
  if (parts.length === 0) return 'No changes to the items.';
  const losses: string[] = [];
  if (c.notesUntagged) losses.push(`${plural(c.notesUntagged, 'note')} will lose their talk tag`);
  if (c.tasksUnlinked) losses.push(`${plural(c.tasksUnlinked, 'task')} will lose their talk`);
  return losses.length ? `${parts.join(', ')}: ${losses.join(', ')}` : `${parts.join(', ')}.`;
}

const TICK_MS = 1000;
const DAY_MS = 24 * 60 * 60_000;

/**
 * How an item is announced: its title and, when it has one (and the title
 * does not already name them), the speaker — "Fed-BioMed — Marco Lorenzi".
 */
export const announce = (i: Pick<AgendaItem, 'speaker' | 'title'>): string => {
  const title = i.title.trim();
  const speaker = i.speaker.trim();
  if (!title) return speaker || 'Untitled';
  return speaker && !title.includes(speaker) ? `${title} — ${speaker}` : title;
};

/**
 * Reactive state of the agenda area for one board session. Components read
 * getters (tracking the agenda document only while rendered, and ticking
 * once a second only while something shows the time) and call intent
 * methods; they never touch Yjs.
 */
export class AgendaState {
  readonly #agenda: YDocView<Agenda>;
  readonly #notes: YView<Record<string, number>>;
  readonly #tick: () => void;

  /** Keep the live item in view (the participant can switch it off). */
  follow = $state(true);
  /** Last validation or permission error, shown next to the controls. */
  readonly #guard = new EditGuard(() => this.canEdit, 'Only organizers can change the agenda.');
  get error(): string | null {
    return this.#guard.error;
  }
  set error(message: string | null) {
    this.#guard.error = message;
    this.errorItemId = null;
  }
  /**
   * The item whose row the last error belongs to (NB9): "Start this item now"
   * and the row's other actions show their error in that row, where the person
   * clicked, not at the top of the panel. Null for panel-wide errors.
   */
  errorItemId = $state<string | null>(null);

  /** Runs a row's action; its error (if any) is shown in that row. */
  #rowRun<T>(id: string, fn: () => T): T | null {
    const out = this.#guard.run(fn);
    this.errorItemId = this.#guard.error === null ? null : id;
    return out;
  }

  #panelRun<T>(fn: () => T): T | null {
    this.errorItemId = null;
    return this.#guard.run(fn);
  }
  /** The viewer's own zone (the platform's). */
  readonly viewerZone: string;

  constructor(
    readonly session: BoardSessionApi,
    opts: { viewerZone?: string; fetch?: typeof fetch } = {},
  ) {
    const { agenda, board } = session.docs;
    this.#agenda = new YDocView(agenda, () => readAgenda(agenda));
    this.#notes = new YView(boardNotes(board), () => {
      // A plain record: a fresh value per change, never mutated afterwards.
      // Note item ids are safe keys (readNote), so no prototype keys here.
      const counts: Record<string, number> = {};
      for (const n of readNotes(board)) {
        if (n.itemId) counts[n.itemId] = (counts[n.itemId] ?? 0) + 1;
      }
      return counts;
    });
    this.viewerZone = opts.viewerZone ?? viewerTimeZone();
    this.#fetch = opts.fetch ?? ((...a) => globalThis.fetch(...a));
    // A 1 s tick that exists only while something reads `now`.
    this.#tick = createSubscriber((update) => {
      const h = setInterval(update, TICK_MS);
      return () => clearInterval(h);
    });
  }

  readonly #fetch: typeof fetch;

  get origin(): Origin {
    return localOrigin(this.session.user.id);
  }

  get canEdit(): boolean {
    return this.session.canWrite('agenda');
  }

  get agenda(): Agenda {
    return this.#agenda.current;
  }

  /** Agreed server time; re-read every second while rendered and when the offset estimate changes. */
  get now(): number {
    this.#tick();
    void this.session.clock.offsetMs;
    return this.session.clock.now();
  }

  get noteCounts(): Record<string, number> {
    return this.#notes.current;
  }

  /** Summary for the header and the live region. */
  nowNext(now: number): NowNext {
    const a = this.agenda;
    const phase = dayPhase(a, now);
    const current = currentScheduledAt(a, now);
    const next = nextScheduledAt(a, now);
    const delay = a.live.delayMinutes === 0 ? '' : formatDelay(a.live.delayMinutes);
    let headline: string;
    if (a.items.length === 0) headline = 'No agenda yet';
    else if (phase === 'after') headline = 'Ended';
    else if (phase === 'before') {
      const bounds = dayBounds(a, now);
      if (!bounds) headline = 'Not started';
      else if (bounds.startMs - now > DAY_MS)
        // A countdown of hundreds of hours says less than the date and time.
        headline = `Starts ${a.meta.date} at ${dualTime(bounds.startMs, a.meta.timeZone, this.viewerZone, a.meta.date).label}`;
      else headline = `Starts in ${formatCountdown(bounds.startMs - now)}`;
    } else if (phase === 'undated' && !current) headline = 'Date to be announced';
    else if (next && next.startMs > now)
      headline = `Next: ${announce(next)} in ${formatCountdown(next.startMs - now)}`;
    else if (next) headline = `Next: ${announce(next)}`;
    else headline = current ? 'Last item of the day' : '';
    return { phase, current, next, headline, delay };
  }

  rows(now: number): AgendaRow[] {
    const a = this.agenda;
    const { timeZone } = a.meta;
    const date = planDate(a, now);
    const current = currentScheduledAt(a, now);
    const phase = dayPhase(a, now);
    // An item that ran shows when it really started (AG7), not where the delay puts it now.
    const ran: Record<string, number> = Object.fromEntries(
      dayTimeline(a, now).flatMap((e) => (e.recorded ? [[e.item.id, e.startMs] as const] : [])),
    );
    return scheduledItems(a, now).map((item) => {
      const isCurrent = current?.id === item.id;
      const ranFrom = Object.hasOwn(ran, item.id) ? ran[item.id] : undefined;
      const over = ranFrom !== undefined && !isCurrent && (a.timeline?.[item.id]?.end ?? null) !== null;
      const status: RowStatus = isCurrent
        ? 'current'
        : over || phase === 'after' || (phase !== 'undated' && item.endMs <= now)
          ? 'done'
          : 'upcoming';
      const dur = item.endMs - item.startMs;
      const startMs = over ? ranFrom : item.startMs;
      return {
        item,
        status,
        time: dualTime(startMs, timeZone, this.viewerZone, date),
        planned:
          startMs === item.plannedStartMs
            ? null
            : dualTime(item.plannedStartMs, timeZone, this.viewerZone, date),
        progress: isCurrent ? (dur > 0 ? Math.min(1, Math.max(0, (now - item.startMs) / dur)) : 1) : null,
        remainingMs: isCurrent ? item.endMs - now : null,
      };
    });
  }

  setMeta(patch: AgendaMetaPatch): boolean {
    return this.#panelRun(() => setMeta(this.session.docs.agenda, patch, this.origin)) !== null;
  }

  add(item: AgendaItemInput): string | null {
    return this.#panelRun(() => addItem(this.session.docs.agenda, item, this.origin));
  }

  update(id: string, patch: AgendaItemPatch): boolean {
    return this.#rowRun(id, () => updateItem(this.session.docs.agenda, id, patch, this.origin)) !== null;
  }

  remove(id: string): void {
    this.#rowRun(id, () => removeItem(this.session.docs.agenda, id, this.origin));
  }

  startNow(id: string): void {
    this.#rowRun(id, () => startItemNow(this.session.docs.agenda, id, this.session.clock.now(), this.origin));
  }

  // Each passes the agreed time, so that the day records when items really ran (AG7).
  shift(deltaMinutes: number): void {
    this.#panelRun(() =>
      shiftDelay(this.session.docs.agenda, deltaMinutes, this.origin, this.session.clock.now()),
    );
  }

  backOnSchedule(): void {
    this.#panelRun(() => backOnSchedule(this.session.docs.agenda, this.origin, this.session.clock.now()));
  }

  setCurrent(id: string | null): void {
    this.#panelRun(() => setCurrentItem(this.session.docs.agenda, id, this.origin, this.session.clock.now()));
  }

  /* ---------- HTTP: import and calendar download (bearer token, never in a URL) ---------- */

  #api(path: string): string {
    return `/api/boards/${encodeURIComponent(this.session.boardId)}/${path}`;
  }

  async #errorOf(res: Response): Promise<string> {
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) return body.error.message;
    } catch {
      // Not JSON: fall through to the status line.
    }
    if (res.status === 413) return 'That page is too large (the limit is 1 MiB).';
    if (res.status === 403) return 'Only organizers can import an agenda.';
    return `The server answered ${res.status} ${res.statusText}`.trim();
  }

  /** Sends the page to the import route; with dryRun nothing changes. Throws with a readable message. */
  async importPage(markdown: string, dryRun: boolean, useImportedDate = false): Promise<ImportPreview> {
    const res = await this.#fetch(this.#api('agenda/import'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.session.token}`,
      },
      body: JSON.stringify({ markdown, dryRun, useImportedDate }),
    });
    if (!res.ok) throw new Error(await this.#errorOf(res));
    return (await res.json()) as ImportPreview;
  }

  /** Fetches the calendar with the bearer header and saves it through a blob URL. */
  async downloadIcs(): Promise<void> {
    try {
      const res = await this.#fetch(this.#api('agenda.ics'), {
        headers: { authorization: `Bearer ${this.session.token}` },
      });
      if (!res.ok) throw new Error(await this.#errorOf(res));
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${(this.agenda.meta.title || 'agenda').replace(/[^\w.-]+/g, '-')}.ics`;
      document.body.append(a);
      a.click();
      a.remove();
      // Give the browser a moment to start the download before revoking.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }
}
