/**
 * Pure schedule math over the plain `Agenda` (from `readAgenda`). No Yjs, no
 * clock of its own: every function takes the agreed server time as `nowMs`.
 *
 * Slippage semantics (rules AG1–AG5, cited by the tests):
 *
 * - AG1 Planned times: an item's planned start is its `HH:MM` wall-clock time
 *   on `meta.date` in `meta.timeZone` (DST from the platform's zone data,
 *   `wall-clock.ts`; a wall time that does not exist on a spring-forward day
 *   moves forward with the clock, one that happens twice is the earlier). Its
 *   planned end is `minutes` of real time later, so an item may run past
 *   midnight or across a DST change.
 * - AG2 The anchor is `live.currentItemId` when that item exists, otherwise
 *   the first item. Items at or after the anchor (in agenda order) are shifted
 *   by `live.delayMinutes`; items before it keep their planned times (they are
 *   over, and the schedule does not record when they really ran).
 * - AG3 "Start this item now" makes the item the anchor and sets the delay to
 *   `now - plannedStart(item)`, rounded to whole minutes, so the item starts
 *   now and every later item moves by the same difference. "+5/-5 min" adjust
 *   the delay; "back on schedule" clears both delay and anchor.
 * - AG4 The day runs from the earliest actual start to the latest actual end.
 *   During it, the current item is the organizer's `currentItemId` when set
 *   (it holds, even when overrunning, until the organizer moves on or the
 *   day's actual end passes: "+5 min" extends the day); otherwise
 *   the latest-starting item whose shifted interval contains now (none during
 *   a gap between items).
 * - AG5 Undated agendas (`meta.date === ''`) have no clock-driven phase: the
 *   phase is 'undated' and the current item is only the organizer's choice.
 *   Their times are laid out on the event-zone date of `nowMs` when given
 *   ("today"), otherwise on 1970-01-01, so that durations still make sense.
 */
import type { Agenda, AgendaItem } from '../schema/types';
import { addDays, isoDateOf, wallClockAt, zonedWallTimeToMs } from './wall-clock';

export interface ScheduledItem extends AgendaItem {
  /** UTC epoch ms of the planned start (from the agenda, no delay). */
  plannedStartMs: number;
  plannedEndMs: number;
  /** UTC epoch ms after slippage (equal to planned for items before the anchor). */
  startMs: number;
  endMs: number;
  /** True when this item is moved by `live.delayMinutes` (AG2). */
  shifted: boolean;
}

export type DayPhase = 'before' | 'during' | 'after' | 'undated';

const MINUTE = 60_000;
const FALLBACK_DATE = '1970-01-01';

/** The event-zone calendar date (`YYYY-MM-DD`) of an instant. */
export function eventDateOf(timeZone: string, ms: number): string {
  try {
    return isoDateOf(wallClockAt(ms, timeZone));
  } catch {
    return FALLBACK_DATE;
  }
}

/** The date the agenda is laid out on (AG5). */
export function planDate(agenda: Agenda, nowMs?: number): string {
  if (agenda.meta.date) return agenda.meta.date;
  return nowMs === undefined ? FALLBACK_DATE : eventDateOf(agenda.meta.timeZone, nowMs);
}

/** UTC epoch ms of `HH:MM` wall-clock time on `date` in `timeZone` (AG1). */
export function wallTimeToMs(date: string, hhmm: string, timeZone: string): number {
  return zonedWallTimeToMs(date, hhmm, timeZone);
}

function anchorIndex(agenda: Agenda): number {
  const pinned = agenda.live.currentItemId;
  if (pinned === null) return 0;
  const i = agenda.items.findIndex((it) => it.id === pinned);
  return i < 0 ? 0 : i;
}

/** Every item with planned and actual (shifted) times, in agenda order. */
export function scheduledItems(agenda: Agenda, nowMs?: number): ScheduledItem[] {
  const date = planDate(agenda, nowMs);
  const anchor = anchorIndex(agenda);
  const delayMs = agenda.live.delayMinutes * MINUTE;
  return agenda.items.map((item, i) => {
    const plannedStartMs = wallTimeToMs(date, item.start, agenda.meta.timeZone);
    const plannedEndMs = plannedStartMs + item.minutes * MINUTE;
    const shifted = i >= anchor && delayMs !== 0;
    const d = shifted ? delayMs : 0;
    return {
      ...item,
      plannedStartMs,
      plannedEndMs,
      startMs: plannedStartMs + d,
      endMs: plannedEndMs + d,
      shifted,
    };
  });
}

/** Earliest actual start and latest actual end, or null without items. */
export function dayBounds(agenda: Agenda, nowMs?: number): { startMs: number; endMs: number } | null {
  const items = scheduledItems(agenda, nowMs);
  if (items.length === 0) return null;
  return {
    startMs: Math.min(...items.map((i) => i.startMs)),
    endMs: Math.max(...items.map((i) => i.endMs)),
  };
}

/**
 * Where the day stands at server time `nowMs` (AG4, AG5). A dated agenda
 * without items spans its whole calendar day in the event zone.
 */
export function dayPhase(agenda: Agenda, nowMs: number): DayPhase {
  if (!agenda.meta.date) return 'undated';
  const bounds = dayBounds(agenda, nowMs) ?? {
    startMs: wallTimeToMs(agenda.meta.date, '00:00', agenda.meta.timeZone),
    endMs: wallTimeToMs(addDays(agenda.meta.date, 1), '00:00', agenda.meta.timeZone),
  };
  if (nowMs < bounds.startMs) return 'before';
  if (nowMs >= bounds.endMs) return 'after';
  return 'during';
}

/** The scheduled item live at server time `nowMs`, or null (AG4, AG5). */
export function currentScheduledAt(agenda: Agenda, nowMs: number): ScheduledItem | null {
  const items = scheduledItems(agenda, nowMs);
  const phase = dayPhase(agenda, nowMs);
  const pinned = agenda.live.currentItemId;
  if (phase === 'before' || phase === 'after') return null;
  if (pinned !== null) {
    const p = items.find((i) => i.id === pinned);
    if (p) return p;
  }
  if (phase === 'undated') return null;
  let best: ScheduledItem | null = null;
  for (const it of items) {
    if (it.startMs <= nowMs && nowMs < it.endMs && (!best || it.startMs >= best.startMs)) best = it;
  }
  return best;
}

export function currentItemAt(agenda: Agenda, nowMs: number): AgendaItem | null {
  return stripSchedule(currentScheduledAt(agenda, nowMs));
}

/**
 * The item that comes next at `nowMs`: the one after the current item in
 * agenda order when there is a current item, otherwise the first item whose
 * actual start is still ahead (before the day: the first item).
 */
export function nextScheduledAt(agenda: Agenda, nowMs: number): ScheduledItem | null {
  const items = scheduledItems(agenda, nowMs);
  const current = currentScheduledAt(agenda, nowMs);
  if (current) {
    const i = items.findIndex((it) => it.id === current.id);
    return items[i + 1] ?? null;
  }
  const phase = dayPhase(agenda, nowMs);
  if (phase === 'after' || phase === 'undated') return null;
  let best: ScheduledItem | null = null;
  for (const it of items) {
    if (it.startMs > nowMs && (!best || it.startMs < best.startMs)) best = it;
  }
  return best;
}

export function nextItemAt(agenda: Agenda, nowMs: number): AgendaItem | null {
  return stripSchedule(nextScheduledAt(agenda, nowMs));
}

/**
 * The delay (whole minutes) that makes `itemId` start at `nowMs` (AG3).
 * Throws RangeError for an unknown item.
 */
export function delayToStartNow(agenda: Agenda, itemId: string, nowMs: number): number {
  const item = agenda.items.find((i) => i.id === itemId);
  if (!item) throw new RangeError(`no agenda item with id ${JSON.stringify(itemId)}`);
  const planned = wallTimeToMs(planDate(agenda, nowMs), item.start, agenda.meta.timeZone);
  return Math.round((nowMs - planned) / MINUTE);
}

function stripSchedule(s: ScheduledItem | null): AgendaItem | null {
  if (!s) return null;
  const { id, start, minutes, title, speaker, affiliation, url, kind } = s;
  return { id, start, minutes, title, speaker, affiliation, url, kind };
}

/**
 * The id of the item live at `nowMs` as everyone sees it (AG4), for tagging
 * what is written now (a question, a snapshot); a stored time the zone math
 * refuses falls back to the organizer's pinned item.
 */
export function liveItemIdAt(agenda: Agenda, nowMs: number): string | null {
  try {
    return currentScheduledAt(agenda, nowMs)?.id ?? null;
  } catch {
    return agenda.live.currentItemId;
  }
}
