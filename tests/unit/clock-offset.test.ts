import { describe, expect, it } from 'vitest';
import { estimateClockOffset, type ClockSample } from '../../shared/time/clock-offset';

const MIN = 60_000;

/**
 * Simulate one round trip: the client clock runs `skew` ms behind the server;
 * the request takes `up` ms and the answer `down` ms (real time).
 */
function sample(realStart: number, skew: number, up: number, down: number): ClockSample {
  return {
    sentAt: realStart - skew,
    serverNow: realStart + up,
    receivedAt: realStart + up + down - skew,
  };
}

describe('estimateClockOffset', () => {
  it('recovers a skew of minutes exactly when the path is symmetric', () => {
    const est = estimateClockOffset([sample(1_000_000, 7 * MIN, 40, 40)]);
    expect(est).toEqual({ offsetMs: 7 * MIN, rttMs: 80 });
  });

  it('recovers a client clock that runs ahead of the server (negative offset)', () => {
    const est = estimateClockOffset([sample(5_000, -3 * MIN, 10, 10)]);
    expect(est?.offsetMs).toBe(-3 * MIN);
  });

  it('chooses the sample with the smallest round trip, bounding the error by half of it', () => {
    const skew = 4 * MIN;
    const samples = [
      sample(0, skew, 400, 20), // congested upstream: large asymmetric error
      sample(100, skew, 15, 5), // best: rtt 20
      sample(200, skew, 30, 300),
    ];
    const est = estimateClockOffset(samples);
    expect(est?.rttMs).toBe(20);
    expect(Math.abs((est?.offsetMs ?? 0) - skew)).toBeLessThanOrEqual(10);
  });

  it('ignores samples whose round trip is negative or not finite (client clock jumped)', () => {
    const est = estimateClockOffset([
      { sentAt: 100, serverNow: 5, receivedAt: 50 },
      { sentAt: Number.NaN, serverNow: 5, receivedAt: 50 },
      sample(0, MIN, 25, 25),
    ]);
    expect(est).toEqual({ offsetMs: MIN, rttMs: 50 });
  });

  it('returns null when no sample is usable', () => {
    expect(estimateClockOffset([])).toBeNull();
    expect(estimateClockOffset([{ sentAt: 10, serverNow: 1, receivedAt: 5 }])).toBeNull();
  });
});
