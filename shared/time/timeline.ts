/**
 * The day as it really ran (AG7), for the minutes, the agenda and the
 * calendar. One `delayMinutes` describes only the items from the anchor on
 * (AG2): when an organizer starts items early or late one after the other,
 * the items before the new anchor fall back to their planned times and the
 * minutes of what really happened are lost. So the agenda operations record
 * when each item became live and when it stopped (`agenda.timeline`, written
 * in the same transaction as the change; shared/ops/agenda.ts), and this
 * module lays the day out from those records and the schedule:
 *
 * - an item with a record ran from its `start` to its `end` (still live:
 *   until its scheduled end, which "+5 min" moves);
 * - an item without a record that comes before a recorded item in agenda
 *   order but would start after that item started was skipped: it never ran;
 * - any other item keeps its scheduled (possibly shifted) times;
 * - the entries are ordered by start, and an entry that would run into the
 *   next one ends where the next one starts, so the timeline never overlaps.
 *
 * Pure: no Yjs, no clock of its own.
 */
import type { Agenda } from '../schema/types';
import { scheduledItems, type ScheduledItem } from './schedule';

export interface TimelineEntry {
  item: ScheduledItem;
  /** When it started and ended (UTC epoch ms); for a skipped item, its planned times. */
  startMs: number;
  endMs: number;
  /** Whether the times are recorded ones (it was started by an organizer or live at one of their changes). */
  recorded: boolean;
  /** It never ran: a later item was started before its turn came. */
  skipped: boolean;
}

/** The items as they ran (or will run), ordered by start, never overlapping; skipped items last. */
export function dayTimeline(agenda: Agenda, nowMs?: number): TimelineEntry[] {
  const runs = agenda.timeline ?? {};
  const items = scheduledItems(agenda, nowMs);
  // The earliest recorded start among the items after each position (agenda order).
  const laterStart: number[] = new Array<number>(items.length).fill(Infinity);
  for (let i = items.length - 2; i >= 0; i--) {
    const next = items[i + 1] as ScheduledItem;
    laterStart[i] = Math.min(laterStart[i + 1] as number, runs[next.id]?.start ?? Infinity);
  }
  const entries = items.map((item, i): TimelineEntry => {
    const run = runs[item.id];
    if (run) {
      const end = run.end ?? Math.max(run.start, item.endMs);
      return { item, startMs: run.start, endMs: end, recorded: true, skipped: false };
    }
    const skipped = (laterStart[i] as number) <= item.startMs;
    return { item, startMs: item.startMs, endMs: item.endMs, recorded: false, skipped };
  });
  const timed = entries
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => !e.skipped)
    .sort((a, b) => a.e.startMs - b.e.startMs || a.i - b.i)
    .map(({ e }) => e);
  for (let k = 0; k + 1 < timed.length; k++) {
    const cur = timed[k] as TimelineEntry;
    const next = timed[k + 1] as TimelineEntry;
    if (cur.endMs > next.startMs) cur.endMs = Math.max(cur.startMs, next.startMs);
  }
  return [...timed, ...entries.filter((e) => e.skipped)];
}
