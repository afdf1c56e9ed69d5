/** A clock in ms; injected so that tests never wait on wall time. */
export type Clock = () => number;

/**
 * A token bucket: `rate` tokens a second, at most `burst` saved up (it starts
 * full). `take(n)` spends n tokens, or answers false and spends nothing. A rate
 * of 0 means no limit.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: Clock,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  take(n = 1): boolean {
    if (this.rate === 0) return true;
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

/** Messages and bytes per second one connection may send (I3); bursts of twice that. */
export interface RateLimits {
  messagesPerSecond: number;
  bytesPerSecond: number;
}

/** Both buckets of one connection: `allow` is false once either is empty. */
export class ConnectionRate {
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;

  constructor(limits: RateLimits, now: Clock) {
    this.messages = new TokenBucket(limits.messagesPerSecond, limits.messagesPerSecond * 2, now);
    this.bytes = new TokenBucket(limits.bytesPerSecond, limits.bytesPerSecond * 2, now);
  }

  allow(byteLength: number): boolean {
    return this.messages.take(1) && this.bytes.take(byteLength);
  }
}
