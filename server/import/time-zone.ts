import { isTimeZone } from '../../shared/schema';

/**
 * Finding the event's time zone in a page's text ("Times are Eastern Time
 * Zone (UTC-05:00)", "Time (CET)", "all times in Europe/Berlin").
 *
 * Zone names and abbreviations map to a real IANA zone, so that daylight
 * saving is applied by the time-zone database rather than by a fixed offset.
 * A bare offset ("UTC+1") has no daylight saving: it maps to the matching
 * `Etc/GMT∓N` zone (whose sign is inverted by POSIX convention) and the
 * caller is told it was a guess.
 */

export interface ZoneGuess {
  zone: string;
  /** Set when the page did not name the zone unambiguously. */
  warning: string | null;
}

interface NamedZone {
  pattern: RegExp;
  zone: string;
  /** Why this is a guess, when it is one. */
  guess?: string;
}

// Longer names come first so that "Central European Time" wins over "Central Time".
// Abbreviations are matched case-sensitively as whole words ("ET" but not "et").
const NAMED_ZONES: NamedZone[] = [
  { pattern: /\bcentral europe(?:an)? (?:summer |standard )?time\b/i, zone: 'Europe/Berlin' },
  { pattern: /\beastern europe(?:an)? (?:summer |standard )?time\b/i, zone: 'Europe/Athens' },
  { pattern: /\bwestern europe(?:an)? (?:summer |standard )?time\b/i, zone: 'Europe/Lisbon' },
  { pattern: /\bbritish (?:summer )?time\b|\buk time\b/i, zone: 'Europe/London' },
  { pattern: /\b(?:us )?eastern (?:standard |daylight )?time\b/i, zone: 'America/New_York' },
  { pattern: /\b(?:us )?central (?:standard |daylight )?time\b/i, zone: 'America/Chicago' },
  { pattern: /\b(?:us )?mountain (?:standard |daylight )?time\b/i, zone: 'America/Denver' },
  { pattern: /\b(?:us )?pacific (?:standard |daylight )?time\b/i, zone: 'America/Los_Angeles' },
  { pattern: /\bindia(?:n)? standard time\b/i, zone: 'Asia/Kolkata' },
  { pattern: /\bjapan(?:ese)? standard time\b/i, zone: 'Asia/Tokyo' },
  { pattern: /\baustralian eastern (?:standard |daylight )?time\b/i, zone: 'Australia/Sydney' },
  { pattern: /\b(?:E[SD]?T)\b/, zone: 'America/New_York' },
  { pattern: /\b(?:C[SD]T)\b/, zone: 'America/Chicago' },
  { pattern: /\b(?:M[SD]?T)\b/, zone: 'America/Denver' },
  { pattern: /\b(?:P[SD]?T)\b/, zone: 'America/Los_Angeles' },
  { pattern: /\bCES?T\b|\bMES?Z\b/, zone: 'Europe/Berlin' },
  { pattern: /\bEES?T\b/, zone: 'Europe/Athens' },
  // Not "WEST": too often the English word in capitals.
  { pattern: /\bWET\b/, zone: 'Europe/Lisbon' },
  { pattern: /\bBST\b/, zone: 'Europe/London' },
  { pattern: /\bJST\b/, zone: 'Asia/Tokyo' },
  { pattern: /\bAE[SD]T\b/, zone: 'Australia/Sydney' },
  {
    pattern: /\bIST\b/,
    zone: 'Asia/Kolkata',
    guess: '"IST" may mean India, Ireland or Israel; read as India (Asia/Kolkata)',
  },
];

// Offsets that are not whole hours have no Etc/ zone: use the zone best known for them.
const FRACTIONAL_OFFSETS: Record<string, string> = {
  '+03:30': 'Asia/Tehran',
  '+04:30': 'Asia/Kabul',
  '+05:30': 'Asia/Kolkata',
  '+05:45': 'Asia/Kathmandu',
  '+06:30': 'Asia/Yangon',
  '+09:30': 'Australia/Darwin',
  '-03:30': 'America/St_Johns',
};

const OFFSET = /\b(?:UTC|GMT)\s*(?<sign>[+\-−–])\s*(?<h>\d{1,2})(?::?(?<m>\d{2}))?\b/;
const PLAIN_UTC = /\b(?:UTC|GMT|Z(?:ulu)? time)\b/;
// An IANA name written in the text, such as Europe/Berlin or America/Argentina/Buenos_Aires.
const IANA = /\b[A-Z][A-Za-z_]+(?:\/[A-Z][A-Za-z_-]+){1,2}\b/g;

function fromOffset(sign: string, hours: number, minutes: number): ZoneGuess | null {
  const positive = sign === '+';
  if (hours > 14 || minutes > 59) return null;
  const text = `UTC${positive ? '+' : '-'}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
  if (minutes !== 0) {
    const zone = FRACTIONAL_OFFSETS[text.slice(3)];
    return zone ? { zone, warning: `time zone given only as ${text}; read as ${zone}` } : null;
  }
  if (hours === 0) return { zone: 'UTC', warning: null };
  // POSIX: Etc/GMT-1 is one hour *ahead* of UTC.
  const zone = `Etc/GMT${positive ? '-' : '+'}${hours}`;
  return {
    zone,
    warning: `time zone given only as ${text}; read as the fixed offset ${zone} (no daylight saving): set the event's zone if it observes one`,
  };
}

/** The zone named in one piece of text, or null when it names none. */
export function zoneFromText(text: string): ZoneGuess | null {
  for (const m of text.matchAll(IANA)) {
    if (isTimeZone(m[0])) return { zone: m[0], warning: null };
  }
  // The earliest mention wins ("9:00 PT / 12:00 ET" is a Pacific page).
  let best: { index: number; named: NamedZone } | null = null;
  for (const named of NAMED_ZONES) {
    const m = named.pattern.exec(text);
    if (m && (best === null || m.index < best.index)) best = { index: m.index, named };
  }
  if (best) return { zone: best.named.zone, warning: best.named.guess ?? null };
  const off = OFFSET.exec(text);
  if (off?.groups) {
    const g = off.groups;
    // An offset that no zone has ("UTC+17") names nothing; it is not plain UTC either.
    return fromOffset(g.sign === '+' ? '+' : '-', Number(g.h), g.m === undefined ? 0 : Number(g.m));
  }
  if (PLAIN_UTC.test(text)) return { zone: 'UTC', warning: null };
  return null;
}

/**
 * The first zone found in `texts`, which the caller orders from most to
 * least specific (the time column's header, the text right before the
 * table, then the rest of the page).
 */
export function findTimeZone(texts: Iterable<string>): ZoneGuess | null {
  for (const t of texts) {
    const z = zoneFromText(t);
    if (z) return z;
  }
  return null;
}
