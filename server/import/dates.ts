import { DateTime } from 'luxon';

/**
 * Finding the event's date in one piece of a page's text: "January 20th
 * 2023", "Friday, 20 January 2023", "Jan. 20, 2023", "2023-01-20",
 * "20.01.2023", "1/20/2023". Calendar validity is checked by luxon.
 */

export interface DateFound {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Where it was found in the text, so the caller can take the first. */
  index: number;
  /** Set when the form was ambiguous (day/month order). */
  warning: string | null;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH =
  '(?<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY = '(?<day>\\d{1,2})(?:st|nd|rd|th)?';
const YEAR = '(?<year>(?:19|20)\\d{2})';

const FORMS: Array<{ re: RegExp; order?: 'iso' | 'dmy-dots' | 'slashes' }> = [
  // January 20th 2023, Jan. 20, 2023
  { re: new RegExp(`\\b${MONTH}\\s+${DAY},?\\s+${YEAR}\\b`, 'giu') },
  // 20 January 2023, 20th of January, 2023
  { re: new RegExp(`\\b${DAY}(?:\\s+of)?\\s+${MONTH},?\\s+${YEAR}\\b`, 'giu') },
  { re: /\b(?<year>(?:19|20)\d{2})-(?<month>\d{2})-(?<day>\d{2})\b/gu, order: 'iso' },
  { re: /\b(?<day>\d{1,2})\.(?<month>\d{1,2})\.(?<year>(?:19|20)\d{2})\b/gu, order: 'dmy-dots' },
  { re: /\b(?<a>\d{1,2})\/(?<b>\d{1,2})\/(?<year>(?:19|20)\d{2})\b/gu, order: 'slashes' },
];

function iso(year: number, month: number, day: number): string | null {
  const dt = DateTime.fromObject({ year, month, day });
  return dt.isValid ? dt.toISODate() : null;
}

function monthNumber(name: string): number {
  return MONTHS[name.toLowerCase().slice(0, 3)] ?? 0;
}

/** Every date written in `text`, in order of appearance. */
export function datesInText(text: string): DateFound[] {
  const found: DateFound[] = [];
  for (const { re, order } of FORMS) {
    for (const m of text.matchAll(re)) {
      const g = m.groups ?? {};
      const year = Number(g.year);
      let date: string | null = null;
      let warning: string | null = null;
      if (order === undefined) date = iso(year, monthNumber(g.month ?? ''), Number(g.day));
      else if (order === 'iso' || order === 'dmy-dots') date = iso(year, Number(g.month), Number(g.day));
      else {
        // 1/20/2023 can only be month/day; 20/1/2023 only day/month; 3/4/2023 is read the US way.
        const a = Number(g.a);
        const b = Number(g.b);
        if (a > 12) date = iso(year, b, a);
        else {
          date = iso(year, a, b);
          if (b <= 12 && a !== b)
            warning = `the date "${m[0]}" could be day/month or month/day; read as month/day`;
        }
      }
      if (date) found.push({ date, index: m.index, warning });
    }
  }
  return found.sort((x, y) => x.index - y.index);
}
