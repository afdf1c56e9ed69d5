import { describe, expect, it } from 'vitest';
import { slugify } from '../../server/export/filename';

describe('download file names', () => {
  it('fold accents, join words with dashes and drop everything else', () => {
    expect(slugify('Workshop — Zürich 2023: "FL" & MS!')).toBe('workshop-zurich-2023-fl-ms');
  });

  it('fall back to "board" when nothing ASCII is left, and stay short', () => {
    expect(slugify('東京ワークショップ')).toBe('board');
    expect(slugify('')).toBe('board');
    const long = slugify('a '.repeat(200));
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('-')).toBe(false);
  });
});
