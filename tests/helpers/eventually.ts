/**
 * Retry an assertion until it passes or the deadline expires: integration
 * tests wait for behaviour, never for a fixed sleep.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeout = 5000, interval = 20 }: { timeout?: number; interval?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((r) => setTimeout(r, interval));
  }
}
