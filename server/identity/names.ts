import { cleanText, LIMITS } from '../../shared/schema';

/**
 * A person's display name as stored and shown: line breaks and tabs become one
 * space, control characters are dropped, trimmed, at most `LIMITS.nameLength`
 * characters. '' when nothing usable is left (or the value is not a string).
 */
export function cleanName(v: unknown): string {
  if (typeof v !== 'string') return '';
  return cleanText(v.replace(/[\r\n\t]+/g, ' '), LIMITS.nameLength);
}

/** A name sent to an HTTP route: the clean name, or why it is refused (for a 400). */
export function checkName(v: unknown): { ok: true; name: string } | { ok: false; message: string } {
  if (typeof v !== 'string') return { ok: false, message: '"name" must be a string' };
  const unbounded = cleanText(v.replace(/[\r\n\t]+/g, ' '), Number.MAX_SAFE_INTEGER);
  if (unbounded === '') return { ok: false, message: '"name" must not be empty' };
  if (unbounded.length > LIMITS.nameLength)
    return { ok: false, message: `"name" must be at most ${LIMITS.nameLength} characters` };
  return { ok: true, name: unbounded };
}
