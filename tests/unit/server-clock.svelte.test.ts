import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SocketServerClock } from '../../client/src/lib/sync/clock.svelte';

const MIN = 60_000;

/**
 * A fake network on vitest's fake timers: `Date.now()` is the server's (true)
 * time; the client's clock is skewed by `skew`; each request's delays come
 * from a queue so some samples are slow and asymmetric.
 */
function fakeServer(skew: number, delays: [up: number, down: number][]) {
  let asked = 0;
  const ask = (): Promise<number> => {
    const [up, down] = delays[asked++ % delays.length] ?? [0, 0];
    return new Promise((resolve) => {
      setTimeout(() => {
        const serverNow = Date.now();
        setTimeout(() => resolve(serverNow), down);
      }, up);
    });
  };
  return { ask, now: () => Date.now() - skew, asked: () => asked };
}

describe('SocketServerClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('agrees with the server within half the best round trip although the client clock is minutes off', async () => {
    const skew = 11 * MIN;
    const net = fakeServer(skew, [
      [300, 10],
      [12, 8],
      [50, 500],
      [5, 200],
      [90, 90],
    ]);
    const clock = new SocketServerClock({ ask: net.ask, now: net.now });
    expect(clock.rttMs).toBeNull();
    const done = clock.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await done;
    expect(net.asked()).toBe(5);
    expect(clock.rttMs).toBe(20);
    expect(Math.abs(clock.offsetMs - skew)).toBeLessThanOrEqual(10);
    expect(Math.abs(clock.now() - Date.now())).toBeLessThanOrEqual(10);
    clock.stop();
  });

  it('spaces the samples of a round and samples again after the resample interval', async () => {
    const net = fakeServer(-2 * MIN, [[1, 1]]);
    const clock = new SocketServerClock({ ask: net.ask, now: net.now, spacingMs: 100, resampleMs: 60_000 });
    void clock.start();
    await vi.advanceTimersByTimeAsync(150);
    expect(net.asked()).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(net.asked()).toBe(5);
    expect(clock.offsetMs).toBe(-2 * MIN);
    // The next round begins a resample interval after the first one ended.
    await vi.advanceTimersByTimeAsync(58_000);
    expect(net.asked()).toBe(5);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(net.asked()).toBe(10);
    clock.stop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(net.asked()).toBe(10);
  });

  it('keeps the previous estimate when every sample of a round is lost', async () => {
    const net = fakeServer(MIN, [[5, 5]]);
    let failing = false;
    const ask = (): Promise<number> => (failing ? Promise.reject(new Error('timeout')) : net.ask());
    const clock = new SocketServerClock({ ask, now: net.now, resampleMs: 10_000 });
    void clock.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(clock.offsetMs).toBe(MIN);
    failing = true;
    await vi.advanceTimersByTimeAsync(11_000);
    expect(clock.offsetMs).toBe(MIN);
    expect(clock.rttMs).toBe(10);
    clock.stop();
  });
});
