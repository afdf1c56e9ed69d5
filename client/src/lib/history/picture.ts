/**
 * The board as a picture in the page (issue 11, HI3): the server's board.svg
 * is fetched with the bearer header and shown or converted here. Images are
 * `data:` URLs, which the Content-Security-Policy's img-src allows (blob: is
 * not in it); the PNG leaves through a blob URL on a download link, which is
 * a navigation, not an image load.
 */

/** board.svg is at most 4,096 px a side; a picture over 8 MiB of text is refused. */
export const MAX_SVG_CHARS = 8 * 1024 * 1024;
/** The PNG is at most this many pixels a side. */
export const MAX_PNG_SIDE = 4096;

/** An SVG document as a `data:` URL for an <img>. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** The file name of the download: the board's title as a slug, then `-board.png`. */
export function pngFileName(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'board'}-board.png`;
}

/** The size a PNG of a `width` × `height` picture gets: twice as sharp for small ones, never over MAX_PNG_SIDE. */
export function pngSize(width: number, height: number): { width: number; height: number } {
  const w = Number.isFinite(width) && width > 0 ? width : 1;
  const h = Number.isFinite(height) && height > 0 ? height : 1;
  const scale = Math.min(2, MAX_PNG_SIDE / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** Fetches an SVG of the board API with the link's token (never in a URL). */
export async function fetchSvg(url: string, token: string, fetcher: typeof fetch = fetch): Promise<string> {
  const res = await fetcher(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`The server answered ${res.status}.`);
  const text = await res.text();
  if (text.length > MAX_SVG_CHARS) throw new Error('The picture is too large.');
  return text;
}

/** Draws an SVG on a canvas and encodes it as PNG (in the browser). */
export async function svgToPng(svg: string): Promise<Blob> {
  const img = new Image();
  img.decoding = 'async';
  const loaded = new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('The picture could not be drawn.'));
  });
  img.src = svgDataUrl(svg);
  await loaded;
  const size = pngSize(img.naturalWidth, img.naturalHeight);
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw pictures.');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size.width, size.height);
  ctx.drawImage(img, 0, 0, size.width, size.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be made.'))), 'image/png'),
  );
}

/** Saves a blob under `name` through a download link. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before revoking.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
