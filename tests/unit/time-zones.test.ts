import { describe, expect, it } from 'vitest';
import { dayMarker, dualTime, dualWallTime, shortZoneName, timeZoneNames } from '../../shared/time/zones';

describe('event zone and viewer zone', () => {
  it('shows the seed workshop\'s 10:30 Eastern for a Paris viewer as "10:30 EST · 16:30 CET"', () => {
    expect(dualWallTime('2023-01-20', '10:30', 'America/New_York', 'Europe/Paris').label).toBe(
      '10:30 EST · 16:30 CET',
    );
  });

  it('shows West Coast viewers their own abbreviation', () => {
    expect(dualWallTime('2023-01-20', '10:00', 'America/New_York', 'America/Los_Angeles').label).toBe(
      '10:00 EST · 07:00 PST',
    );
  });

  it('shows one time when the viewer is in the event zone', () => {
    const t = dualWallTime('2023-01-20', '10:30', 'America/New_York', 'America/New_York');
    expect(t.viewer).toBeNull();
    expect(t.label).toBe('10:30 EST');
  });

  it('follows New York into daylight time on 2023-03-12 while Paris is still on CET (5 h apart, not 6)', () => {
    expect(dualWallTime('2023-03-11', '10:00', 'America/New_York', 'Europe/Paris').label).toBe(
      '10:00 EST · 16:00 CET',
    );
    expect(dualWallTime('2023-03-12', '10:00', 'America/New_York', 'Europe/Paris').label).toBe(
      '10:00 EDT · 15:00 CET',
    );
  });

  it('follows Paris into summer time on 2023-03-26 (CEST, 6 h apart again)', () => {
    expect(dualWallTime('2023-03-25', '10:00', 'America/New_York', 'Europe/Paris').label).toBe(
      '10:00 EDT · 15:00 CET',
    );
    expect(dualWallTime('2023-03-26', '10:00', 'America/New_York', 'Europe/Paris').label).toBe(
      '10:00 EDT · 16:00 CEST',
    );
  });

  it('marks the next day for a Tokyo viewer when the talk crosses their midnight', () => {
    const before = dualWallTime('2023-01-20', '09:30', 'America/New_York', 'Asia/Tokyo');
    expect(before.viewer?.time).toBe('23:30');
    expect(before.viewer?.marker).toBe('');
    const after = dualWallTime('2023-01-20', '10:30', 'America/New_York', 'Asia/Tokyo');
    expect(after.viewer).toMatchObject({
      time: '00:30',
      date: '2023-01-21',
      dayOffset: 1,
      marker: '+1 day',
    });
    expect(after.label).toBe('10:30 EST · 00:30 GMT+9 +1 day');
  });

  it('marks the previous day for a viewer west of the event across midnight', () => {
    const t = dualWallTime('2023-01-20', '00:30', 'Europe/Paris', 'America/Los_Angeles');
    expect(t.label).toBe('00:30 CET · 15:30 PST -1 day');
  });

  it('marks the event side too when a delay pushes an item past the event date', () => {
    const ms = Date.parse('2023-01-21T05:10:00Z'); // 00:10 EST on the 21st
    const t = dualTime(ms, 'America/New_York', 'Europe/Paris', '2023-01-20');
    expect(t.label).toBe('00:10 EST +1 day · 06:10 CET +1 day');
  });

  it('falls back to the GMT offset form when a zone has no common abbreviation', () => {
    expect(shortZoneName('Asia/Kolkata', Date.parse('2023-01-20T00:00:00Z'))).toMatch(/^(IST|GMT\+5:30)$/);
    expect(shortZoneName('UTC', 0)).toBe('UTC');
  });

  it('writes day markers with plural days', () => {
    expect(dayMarker(0)).toBe('');
    expect(dayMarker(-1)).toBe('-1 day');
    expect(dayMarker(2)).toBe('+2 days');
  });

  it('offers IANA zone names for the picker, UTC included', () => {
    const names = timeZoneNames();
    expect(names).toContain('UTC');
    expect(names).toContain('America/New_York');
    expect(names).toContain('Europe/Paris');
  });

  it('rejects an unknown zone with a RangeError', () => {
    expect(() => dualTime(0, 'Mars/Olympus', 'UTC', '')).toThrow(RangeError);
  });
});
