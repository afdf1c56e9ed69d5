/**
 * Wall-clock time in an IANA zone from the platform's own time-zone data
 * (Intl), with no library: the same code runs on the server and in the
 * browser, so both lay an agenda out identically, and the participant's first
 * load carries no date library (issue 18: luxon alone was 70 KB of it).
 */

export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0–23 */
  hour: number;
  minute: number;
  second: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

// Building a DateTimeFormat costs far more than using one: one per zone (and locale) is kept.
const wallFormats = new Map<string, Intl.DateTimeFormat>();
const nameFormats = new Map<string, Intl.DateTimeFormat>();

function wallFormat(zone: string): Intl.DateTimeFormat {
  let f = wallFormats.get(zone);
  if (!f) {
    // Throws a RangeError for a zone the platform does not know.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallFormats.set(zone, f);
  }
  return f;
}

/** The wall clock in `zone` at the instant `ms` (UTC epoch milliseconds). */
export function wallClockAt(ms: number, zone: string): WallClock {
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of wallFormat(zone).formatToParts(ms)) {
    if (p.type in w) w[p.type as keyof WallClock] = Number(p.value);
  }
  // Some engines still write midnight as 24 under h23.
  if (w.hour === 24) w.hour = 0;
  return w;
}

/** Minutes `zone` is ahead of UTC at the instant `ms` (-300 for New York in winter). */
export function offsetMinutesAt(ms: number, zone: string): number {
  const w = wallClockAt(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / MINUTE);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a wall clock. */
export const isoDateOf = (w: WallClock): string => `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;

/** `HH:MM` (24-hour) of a wall clock. */
export const hhmmOf = (w: WallClock): string => `${pad(w.hour)}:${pad(w.minute)}`;

/** UTC epoch ms of midnight starting a `YYYY-MM-DD` date, or NaN when it is not a real date. */
export function utcDateMs(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // 2023-02-30 would roll over to March: not a date.
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d
    ? ms
    : Number.NaN;
}

/**
 * UTC epoch ms of the wall-clock time `HH:MM` on `date` in `zone`. Where the
 * clock jumps forward (a time that does not exist that day) the time moves
 * forward with the clock (02:30 → 03:30); where it goes back (a time that
 * happens twice) the earlier one is taken: the "compatible" choice of
 * Temporal and of RFC 5545 calendars. Throws RangeError for an invalid date,
 * time or zone.
 */
export function zonedWallTimeToMs(date: string, hhmm: string, zone: string): number {
  const day = utcDateMs(date);
  const t = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const hour = t ? Number(t[1]) : Number.NaN;
  const minute = t ? Number(t[2]) : Number.NaN;
  if (Number.isNaN(day) || !(hour <= 23) || !(minute <= 59))
    throw new RangeError(`invalid time ${date} ${hhmm} in ${zone}`);
  const local = day + hour * 60 * MINUTE + minute * MINUTE;
  // The offsets a day either side: zones change offset at most once in that span.
  const before = offsetMinutesAt(local - DAY, zone);
  const after = offsetMinutesAt(local + DAY, zone);
  const candidates = [local - before * MINUTE, local - after * MINUTE].filter(
    (ms, i) => offsetMinutesAt(ms, zone) === (i === 0 ? before : after),
  );
  // None: a skipped time, read with the offset before the jump, lands after it.
  return candidates.length === 0 ? local - before * MINUTE : Math.min(...candidates);
}

/**
 * The zone's short name at `ms` in `locale` ("EST", "CET", "GMT+9"), as the
 * platform writes it.
 */
export function zoneNameAt(ms: number, zone: string, locale: string): string {
  const key = `${locale} ${zone}`;
  let f = nameFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    nameFormats.set(key, f);
  }
  return f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** Whole days from one `YYYY-MM-DD` date to another. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((utcDateMs(to) - utcDateMs(from)) / DAY);

/** The `YYYY-MM-DD` date `days` after `date`. */
export function addDays(date: string, days: number): string {
  const d = new Date(utcDateMs(date) + days * DAY);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
