import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDelay, formatMinutes } from '../../shared/time/countdown';

describe('countdown formats', () => {
  it.each([
    [252_000, '4:12'],
    [3_723_000, '1:02:03'],
    [59_000, '0:59'],
    [3_600_000, '1:00:00'],
    [36_000_000 + 5_000, '10:00:05'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });

  it('rounds up to the next second so a running countdown only shows 0:00 at zero', () => {
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(251_001)).toBe('4:12');
  });

  it('shows 0:00 for zero, negative and non-finite times', () => {
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5000)).toBe('0:00');
    expect(formatCountdown(Number.NaN)).toBe('0:00');
  });

  it('formats durations in minutes and hours', () => {
    expect(formatMinutes(15)).toBe('15 min');
    expect(formatMinutes(60)).toBe('1 h');
    expect(formatMinutes(150)).toBe('2 h 30 min');
  });

  it('describes slippage as late, early or on schedule', () => {
    expect(formatDelay(10)).toBe('running 10 min late');
    expect(formatDelay(-5)).toBe('running 5 min early');
    expect(formatDelay(75)).toBe('running 1 h 15 min late');
    expect(formatDelay(0)).toBe('on schedule');
  });
});
