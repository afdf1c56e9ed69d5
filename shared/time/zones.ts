/**
 * Showing agenda times in the event's zone and the viewer's own, with short
 * zone names ("10:30 EST · 16:30 CET") and a day marker when the viewer's
 * calendar date differs from the event's ("+1 day"). All offsets and DST
 * rules come from the platform's Intl time-zone data (`wall-clock.ts`).
 */
import { wallTimeToMs } from './schedule';
import { daysBetween, hhmmOf, isoDateOf, wallClockAt, zoneNameAt } from './wall-clock';

export interface ZonedTime {
  /** `HH:MM`, 24-hour, in `zone`. */
  time: string;
  /** Short zone name at that instant: "EST", "CET", or "GMT+9" when no abbreviation exists. */
  zoneName: string;
  /** Calendar date in that zone, `YYYY-MM-DD`. */
  date: string;
  /** Days between `date` and the reference date (the event's date): -1, 0, +1, … */
  dayOffset: number;
  /** "", "+1 day", "-1 day", "+2 days". */
  marker: string;
}

export interface DualTime {
  event: ZonedTime;
  /** Null when the viewer's clock shows the same wall time and zone name as the event's. */
  viewer: ZonedTime | null;
  /** "10:30 EST · 16:30 CET", "23:00 EST · 13:00 JST +1 day", or "10:30 EST". */
  label: string;
}

/**
 * Locales tried in order for an abbreviation: en-US knows the North American
 * names (EST, PST), en-GB the European ones (CET, BST); anything else falls
 * back to the unambiguous "GMT+9" form that both produce.
 */
const NAME_LOCALES = ['en-US', 'en-GB'] as const;
const OFFSET_FORM = /^(GMT|UTC)[+-−]/;

export function shortZoneName(zone: string, ms: number): string {
  let fallback = '';
  for (const locale of NAME_LOCALES) {
    const name = zoneNameAt(ms, zone, locale);
    if (name && !OFFSET_FORM.test(name)) return name;
    fallback ||= name;
  }
  return fallback || zone;
}

export function dayMarker(dayOffset: number): string {
  if (dayOffset === 0) return '';
  const sign = dayOffset > 0 ? '+' : '-';
  const n = Math.abs(dayOffset);
  return `${sign}${n} ${n === 1 ? 'day' : 'days'}`;
}

/** An instant as wall-clock time in `zone`, with its day offset from `referenceDate`. */
export function zonedTime(ms: number, zone: string, referenceDate: string): ZonedTime {
  let wall;
  try {
    wall = wallClockAt(ms, zone);
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(zone)}`);
  }
  const date = isoDateOf(wall);
  const dayOffset = referenceDate ? daysBetween(referenceDate, date) : 0;
  return {
    time: hhmmOf(wall),
    zoneName: shortZoneName(zone, ms),
    date,
    dayOffset,
    marker: dayMarker(dayOffset),
  };
}

const part = (t: ZonedTime): string => `${t.time} ${t.zoneName}${t.marker ? ` ${t.marker}` : ''}`;

/**
 * An instant in the event's zone and the viewer's. `referenceDate` is the
 * event's date (`meta.date`): day markers on either side are relative to it,
 * so a talk shifted past midnight also shows "+1 day" in the event's zone.
 */
export function dualTime(ms: number, eventZone: string, viewerZone: string, referenceDate: string): DualTime {
  const event = zonedTime(ms, eventZone, referenceDate);
  const viewer = zonedTime(ms, viewerZone, referenceDate);
  const same =
    viewerZone === eventZone ||
    (viewer.time === event.time && viewer.zoneName === event.zoneName && viewer.date === event.date);
  return same
    ? { event, viewer: null, label: part(event) }
    : { event, viewer, label: `${part(event)} · ${part(viewer)}` };
}

/** An `HH:MM` event-zone time on the event's date, in both zones. */
export function dualWallTime(date: string, hhmm: string, eventZone: string, viewerZone: string): DualTime {
  return dualTime(wallTimeToMs(date, hhmm, eventZone), eventZone, viewerZone, date);
}

/** The viewer's own IANA zone, from the platform. */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** IANA zone names for a picker; always includes UTC, sorted. */
export function timeZoneNames(): string[] {
  const names = new Set<string>(['UTC']);
  try {
    for (const z of Intl.supportedValuesOf('timeZone')) names.add(z);
  } catch {
    // Older engines: the picker still offers UTC and whatever is already set.
  }
  return [...names].sort();
}
