/** Short human formats for countdowns, durations and schedule slippage. */

/**
 * "4:12" below an hour, "1:02:03" from an hour on. Rounds up to the second,
 * so a countdown shows "0:01" until the moment it reaches zero; negative
 * values show "0:00".
 */
export function formatCountdown(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0:00';
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** "15 min", "1 h", "1 h 30 min". */
export function formatMinutes(minutes: number): string {
  const n = Math.abs(Math.round(minutes));
  const h = Math.floor(n / 60);
  const m = n % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "running 10 min late", "running 5 min early", or "on schedule". */
export function formatDelay(delayMinutes: number): string {
  const d = Math.round(delayMinutes);
  if (d === 0) return 'on schedule';
  return `running ${formatMinutes(d)} ${d > 0 ? 'late' : 'early'}`;
}
