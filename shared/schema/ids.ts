/**
 * Random ids for notes, items and tasks: 96 bits of randomness from the
 * platform CSPRNG (Web Crypto exists in browsers and in Node 20).
 */
export function newId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
