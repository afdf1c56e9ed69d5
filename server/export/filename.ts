/**
 * A file-name-safe slug of a board title for download names: ASCII letters
 * and digits joined by dashes (accents folded; other scripts dropped), never
 * empty, bounded so the Content-Disposition header stays short.
 */
export function slugify(title: string, fallback = 'board'): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}
