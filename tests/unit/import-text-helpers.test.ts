import { describe, expect, it } from 'vitest';
import { datesInText } from '../../server/import/dates';
import { repairMojibake } from '../../server/import/mojibake';
import { parseTimeCell } from '../../server/import/times';
import { zoneFromText } from '../../server/import/time-zone';

/** What a UTF-8 string looks like after its bytes were decoded as Windows-1252. */
function misread(text: string): string {
  const cp1252: Record<number, string> = {
    0x80: '€',
    0x82: '‚',
    0x83: 'ƒ',
    0x84: '„',
    0x85: '…',
    0x86: '†',
    0x87: '‡',
    0x88: 'ˆ',
    0x89: '‰',
    0x8a: 'Š',
    0x8b: '‹',
    0x8c: 'Œ',
    0x8e: 'Ž',
    0x91: '‘',
    0x92: '’',
    0x93: '“',
    0x94: '”',
    0x95: '•',
    0x96: '–',
    0x97: '—',
    0x98: '˜',
    0x99: '™',
    0x9a: 'š',
    0x9b: '›',
    0x9c: 'œ',
    0x9e: 'ž',
    0x9f: 'Ÿ',
  };
  return [...new TextEncoder().encode(text)].map((b) => cp1252[b] ?? String.fromCharCode(b)).join('');
}

describe('mojibake repair (UTF-8 read as Windows-1252/Latin-1)', () => {
  it.each([
    ['CharitÃ© UniversitÃ¤tsmedizin', 'Charité Universitätsmedizin'],
    ['The workshop is **free** ðŸ™‚', 'The workshop is **free** 🙂'],
    ['ðŸ‘‰ Please register', '👉 Please register'],
    ['Itâ€™s quoted â€” yes', 'It’s quoted — yes'],
    ['Ã‰tat, Ã€ bientÃ´t', 'État, À bientôt'],
    ['10Â\u00a0Â°C', '10\u00a0°C'],
  ])('repairs %j', (bad, good) => {
    expect(repairMojibake(bad)).toBe(good);
  });

  it('repairs text that went through the mis-reading twice', () => {
    expect(repairMojibake(misread(misread('Zürich 🙂')))).toBe('Zürich 🙂');
  });

  it('repairs any text made by mis-reading, across scripts', () => {
    for (const good of [
      'Ελληνικά',
      'Привет, мир',
      'Łódź – Kraków',
      '日本語のテキスト',
      'naïve café',
      '“quoted” 👉',
    ]) {
      expect(repairMojibake(misread(good))).toBe(good);
    }
  });

  it.each([
    'Charité Universitätsmedizin, Berlin',
    'Größe, Straße, Ærøskøbing, Ñandú',
    '«CAFÉ» and SCHÖN… and NAÏVE—dash',
    'Prices: £5, ¥100, ©2024, ½ cup, 25°C ± 2',
    'ÀÉÎÕÜ àéîõü',
    'plain ASCII | Time | Topic |',
    'Emoji 🙂 and “quotes”',
  ])('never changes correct text: %j', (good) => {
    expect(repairMojibake(good)).toBe(good);
  });

  it('leaves sequences that are not valid UTF-8 alone (a lone "Ã" before a space)', () => {
    expect(repairMojibake('SÃO PAULO')).toBe('SÃO PAULO');
  });
});

describe('time cells', () => {
  it.each([
    ['10:00', '10:00', null],
    ['9:00 AM', '09:00', null],
    ['9 am', '09:00', null],
    ['12:00 PM', '12:00', null],
    ['12:15 a.m.', '00:15', null],
    ['1:30pm', '13:30', null],
    ['0900 - 0930', '09:00', '09:30'],
    ['9:00–10:30 AM', '09:00', '10:30'],
    ['11:30 - 1:00 PM', '11:30', '13:00'],
    ['10h30', '10:30', null],
    ['14.45', '14:45', null],
    ['10:00\u00a0', '10:00', null],
    ['13:00 to 14:00', '13:00', '14:00'],
  ])('%j starts at %s (end %s)', (cell, start, end) => {
    const t = parseTimeCell(cell);
    const hhmm = (m: number): string =>
      `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    expect(t && hhmm(t.start.minutes)).toBe(start);
    expect(t?.end ? hhmm(t.end.minutes) : null).toBe(end);
  });

  it.each(['', 'Topic', 'Day 2', '25:00', '13:00 PM', '10:75', 'Session 3 at 10:00', '2'])(
    '%j is not a time',
    (cell) => {
      expect(parseTimeCell(cell)).toBeNull();
    },
  );

  it('remembers whether AM/PM was written, which decides how an out-of-order time may be corrected', () => {
    expect(parseTimeCell('11:35 PM')?.start.meridiem).toBe('pm');
    expect(parseTimeCell('11:35')?.start.meridiem).toBeNull();
  });
});

describe('time zones named in text', () => {
  it.each([
    ['Times are Eastern Time Zone (UTC-05:00)', 'America/New_York', false],
    ['9:00 PT / 12:00 ET', 'America/Los_Angeles', false],
    ['all times ET', 'America/New_York', false],
    ['Time (CET)', 'Europe/Berlin', false],
    ['Central European Summer Time', 'Europe/Berlin', false],
    ['Central Time (US)', 'America/Chicago', false],
    ['Pacific Standard Time', 'America/Los_Angeles', false],
    ['in Europe/Paris time', 'Europe/Paris', false],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires', false],
    ['GMT', 'UTC', false],
    ['UTC+0', 'UTC', false],
    ['UTC+1', 'Etc/GMT-1', true],
    ['GMT-03:00', 'Etc/GMT+3', true],
    ['UTC+05:30', 'Asia/Kolkata', true],
    ['10:00 IST', 'Asia/Kolkata', true],
    ['British Summer Time', 'Europe/London', false],
  ])('%j -> %s (guess: %s)', (text, zone, guessed) => {
    const z = zoneFromText(text);
    expect(z?.zone).toBe(zone);
    expect(z?.warning !== null).toBe(guessed);
  });

  it.each(['et al. 2020 showed', 'West side of the campus', 'We meet at 10:00', 'UTC+17'])(
    '%j names no zone',
    (text) => {
      expect(zoneFromText(text)).toBeNull();
    },
  );
});

describe('dates in text', () => {
  it.each([
    ['To be held virtually on January 20th 2023', '2023-01-20'],
    ['Friday, 20 January 2023', '2023-01-20'],
    ['Jan. 20, 2023', '2023-01-20'],
    ['on the 3rd of March, 2024', '2024-03-03'],
    ['Sept 9 2025', '2025-09-09'],
    ['2023-01-20', '2023-01-20'],
    ['20.01.2023', '2023-01-20'],
    ['1/20/2023', '2023-01-20'],
    ['20/1/2023', '2023-01-20'],
  ])('%j -> %s', (text, date) => {
    expect(datesInText(text)[0]?.date).toBe(date);
  });

  it('an ambiguous 3/4/2024 is read the US way with a warning', () => {
    expect(datesInText('3/4/2024')[0]).toMatchObject({
      date: '2024-03-04',
      warning: expect.stringMatching(/month\/day/),
    });
  });

  it.each(['February 30th 2023', '2023-13-01', 'version 10.2.2023x', 'in 2023'])(
    '%j holds no valid date',
    (text) => {
      expect(datesInText(text)).toEqual([]);
    },
  );
});
