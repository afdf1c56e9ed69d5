/**
 * NTP-style estimate of the server clock from round trips over the socket.
 *
 * Each sample is (client send time, server time, client receive time). Assuming
 * the server read its clock half-way through the round trip, the server is
 * ahead of us by `serverNow + rtt/2 - receivedAt`. The error of that guess is
 * at most rtt/2 (asymmetric paths), so the sample with the smallest round trip
 * is the most trustworthy one.
 */

export interface ClockSample {
  /** Client clock when the request left, ms. */
  sentAt: number;
  /** Server epoch ms in the answer. */
  serverNow: number;
  /** Client clock when the answer arrived, ms. */
  receivedAt: number;
}

export interface ClockEstimate {
  /** serverTime - clientTime, ms. */
  offsetMs: number;
  /** Round trip of the sample the estimate is based on, ms. */
  rttMs: number;
}

const isUsable = (s: ClockSample): boolean =>
  Number.isFinite(s.sentAt) &&
  Number.isFinite(s.serverNow) &&
  Number.isFinite(s.receivedAt) &&
  // A negative round trip means the client clock jumped during the sample.
  s.receivedAt >= s.sentAt;

/** Best estimate from `samples`, or null when none is usable. */
export function estimateClockOffset(samples: readonly ClockSample[]): ClockEstimate | null {
  let best: ClockSample | null = null;
  for (const s of samples) {
    if (!isUsable(s)) continue;
    if (best === null || s.receivedAt - s.sentAt < best.receivedAt - best.sentAt) best = s;
  }
  if (best === null) return null;
  const rttMs = best.receivedAt - best.sentAt;
  return { offsetMs: best.serverNow + rttMs / 2 - best.receivedAt, rttMs };
}
