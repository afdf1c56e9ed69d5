/**
 * Reading the time column of an agenda table: one cell at a time, so small
 * regular expressions over that cell's text are enough.
 *
 * Accepted: `10:00`, `9:00 AM`, `9 am`, `9.30`, `10h30`, `0900`, and ranges
 * of those joined by `-`, `–`, `—`, `to` or `until` (`0900 - 0930`,
 * `9:00–10:30 AM`).
 */

export type Meridiem = 'am' | 'pm';

export interface ClockTime {
  /** Minutes after midnight, 0–1439. */
  minutes: number;
  /** Whether the cell said AM or PM explicitly (decides how a misfit is corrected). */
  meridiem: Meridiem | null;
}

export interface TimeCell {
  start: ClockTime;
  /** End of a range, when the cell gave one. */
  end: ClockTime | null;
}

// One time: hours, optional separator + minutes, optional meridiem; or 3–4 digits (0900).
const ONE_TIME =
  /(?<![\d:.])(?:(?<h>\d{1,2})(?:\s*[:.h]\s*(?<m>\d{2}))?|(?<hm>\d{3,4}))\s*(?<mer>[ap]\.?\s?m\.?)?(?![\d:])/giu;
const RANGE_JOINER = /^\s*(?:-|–|—|to|until|till|bis)\s*$/iu;

interface RawTime {
  hours: number;
  minutes: number;
  meridiem: Meridiem | null;
  /** Whether the text had minutes or was four digits: a lone "2" is not a time. */
  precise: boolean;
  index: number;
  length: number;
}

function rawTimes(text: string): RawTime[] {
  const out: RawTime[] = [];
  for (const m of text.matchAll(ONE_TIME)) {
    const g = m.groups ?? {};
    let hours: number;
    let minutes: number;
    if (g.hm !== undefined) {
      hours = Number(g.hm.slice(0, -2));
      minutes = Number(g.hm.slice(-2));
    } else {
      hours = Number(g.h);
      minutes = g.m === undefined ? 0 : Number(g.m);
    }
    const mer = g.mer ? (g.mer.toLowerCase().startsWith('a') ? 'am' : 'pm') : null;
    const precise = g.m !== undefined || g.hm !== undefined || mer !== null;
    out.push({ hours, minutes, meridiem: mer, precise, index: m.index, length: m[0].length });
  }
  return out;
}

function toClock(hours: number, minutes: number, meridiem: Meridiem | null): ClockTime | null {
  if (minutes > 59) return null;
  if (meridiem === null) {
    if (hours > 23) return null;
    return { minutes: hours * 60 + minutes, meridiem };
  }
  if (hours < 1 || hours > 12) return null;
  const h24 = (hours % 12) + (meridiem === 'pm' ? 12 : 0);
  return { minutes: h24 * 60 + minutes, meridiem };
}

/**
 * Parses a time cell, or returns null when the cell holds no time. The text
 * must start with the time (after spaces), so a title cell that mentions a
 * number is never mistaken for a time column.
 */
export function parseTimeCell(text: string): TimeCell | null {
  const clean = text.replace(/\u00a0/g, ' ').trim();
  if (clean.length === 0 || clean.length > 60) return null;
  const found = rawTimes(clean);
  const first = found[0];
  if (!first || first.index !== 0 || !first.precise) return null;
  const second = found[1];
  const joined =
    second !== undefined &&
    second.precise &&
    RANGE_JOINER.test(clean.slice(first.index + first.length, second.index));
  if (!joined) {
    const start = toClock(first.hours, first.minutes, first.meridiem);
    return start ? { start, end: null } : null;
  }
  // "9:00 - 10:30 AM": the meridiem written once belongs to both ends, unless
  // that would put the start after the end ("11:30 - 1:00 PM" starts in the morning).
  let startMer = first.meridiem;
  if (startMer === null && second.meridiem !== null && first.hours <= 12) {
    const same = toClock(first.hours, first.minutes, second.meridiem);
    const endClock = toClock(second.hours, second.minutes, second.meridiem);
    const other = second.meridiem === 'am' ? 'pm' : 'am';
    startMer = same && endClock && same.minutes <= endClock.minutes ? second.meridiem : other;
  }
  const start = toClock(first.hours, first.minutes, startMer);
  const end = toClock(second.hours, second.minutes, second.meridiem);
  if (!start) return null;
  // The start's meridiem was inferred, not written: keep `meridiem` null so
  // that order correction may still move it.
  return { start: { ...start, meridiem: first.meridiem }, end };
}
