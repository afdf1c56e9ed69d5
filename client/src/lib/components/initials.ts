/**
 * The first user-perceived character of a name, for avatars: a whole grapheme
 * (Intl.Segmenter), so "🦊 Fox" shows the fox and "Ærø" shows "Æ", never half
 * of a surrogate pair or an emoji sequence.
 */
export function initial(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') return '?';
  let first = '';
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (const s of seg.segment(trimmed)) {
      first = s.segment;
      break;
    }
  } else {
    first = Array.from(trimmed)[0] ?? '?';
  }
  return first.toLocaleUpperCase();
}
