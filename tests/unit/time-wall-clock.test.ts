import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  offsetMinutesAt,
  wallClockAt,
  zonedWallTimeToMs,
  zoneNameAt,
} from '../../shared/time/wall-clock';

/**
 * AG1: the browser lays the agenda out with the platform's Intl data alone
 * (no date library on the participant's first load); the server's imports and
 * calendar exports use luxon. Both must agree: compared here over many
 * instants, zones and DST changes.
 */
const ZONES = [
  'UTC',
  'America/New_York',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Europe/Paris',
  'Europe/London',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Africa/Casablanca',
];

/** A fixed pseudo-random sequence (no flakiness, same instants every run). */
function* instants(n: number): Generator<number> {
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    // 1990–2040, to the minute and second.
    yield Date.UTC(1990, 0, 1) + Math.floor((x / 2 ** 31) * 50 * 365.25 * 86_400) * 1000;
  }
}

describe('AG1: wall-clock time from Intl agrees with luxon', () => {
  it('AG1: date, time and offset at 400 instants in 11 zones', () => {
    for (const zone of ZONES)
      for (const ms of instants(400)) {
        const lx = DateTime.fromMillis(ms, { zone });
        const w = wallClockAt(ms, zone);
        expect([w.year, w.month, w.day, w.hour, w.minute, w.second]).toEqual([
          lx.year,
          lx.month,
          lx.day,
          lx.hour,
          lx.minute,
          lx.second,
        ]);
        expect(offsetMinutesAt(ms, zone)).toBe(lx.offset);
      }
  });

  it("AG1: night times of the days of 2023 around each offset change are luxon's instants (skipped ones move forward)", () => {
    for (const zone of ZONES)
      for (let d = 0; d < 365; d++) {
        const date = addDays('2023-01-01', d);
        // Days when the zone's offset changes (and a day a fortnight), where the rules bite.
        const noon = (n: number) =>
          offsetMinutesAt(Date.parse(`${addDays('2023-01-01', n)}T12:00:00Z`), zone);
        if (d % 14 !== 0 && noon(d - 1) === noon(d + 1)) continue;
        // Clocks change at night: every quarter hour from 00:00 to 04:30, and two day times.
        for (const m of [...Array.from({ length: 19 }, (_, i) => i * 15), 600, 1410]) {
          const hhmm = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const ours = zonedWallTimeToMs(date, hhmm, zone);
          const lx = DateTime.fromISO(`${date}T${hhmm}`, { zone });
          if (ours === lx.toMillis()) continue;
          // Only a time that happens twice may differ: luxon's pick depends on today's offset,
          // ours is the earlier of the two.
          const wall = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
          expect(wall(ours)).toBe(`${date} ${hhmm}`);
          expect(wall(lx.toMillis())).toBe(`${date} ${hhmm}`);
          expect(ours).toBeLessThan(lx.toMillis());
        }
      }
  });

  it('AG1: a time that happens twice (01:30 on 2023-11-05 in New York) is the earlier, EDT', () => {
    expect(zonedWallTimeToMs('2023-11-05', '01:30', 'America/New_York')).toBe(
      Date.parse('2023-11-05T05:30:00Z'),
    );
  });

  it('AG1: short zone names, day counts, invalid input', () => {
    expect(zoneNameAt(Date.parse('2023-01-20T12:00:00Z'), 'America/New_York', 'en-US')).toBe('EST');
    expect(zoneNameAt(Date.parse('2023-07-20T12:00:00Z'), 'Europe/Paris', 'en-GB')).toBe('CEST');
    expect(daysBetween('2023-12-31', '2024-03-01')).toBe(61);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(() => zonedWallTimeToMs('2023-02-30', '10:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedWallTimeToMs('2023-02-03', '24:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedWallTimeToMs('2023-02-03', '10:00', 'Mars/Olympus')).toThrow(RangeError);
  });
});
