import { NOTE_SIZE, noteColor } from '../../shared/ops/board';
import { groupFrame } from '../../shared/ops/geometry';
import { totalVotes, type Group, type Note } from '../../shared/schema';
import type { BoardSnapshot } from '../boards/snapshot';
import { textDirection } from './text-direction';

/**
 * The board as a picture (issue 11): every note at its place with its colour
 * and its text wrapped to the note, a frame with its title around each group,
 * and the talk each note was written in as a label under it. A standalone
 * SVG 1.1 document with no scripts, no external references and no styles
 * beyond presentation attributes, so browsers, image viewers and converters
 * open it alike. All user text goes through `xmlText` (escaped, and stripped
 * of characters XML 1.0 cannot hold). Each piece of user text carries its
 * own `direction` (first strong letter, as `dir="auto"` on the live board)
 * and starts at the right edge of its box when it reads right to left, so a
 * Hebrew note's "?" and emoji end up on its left as they do on the board
 * (issue 20 item 11).
 */

/** Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text safe inside an element or a double-quoted attribute. */
export function xmlText(value: string): string {
  return value
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export const SVG_LAYOUT = {
  padding: 12,
  fontSize: 15,
  lineHeight: 19,
  /** Average glyph width of the sans-serif face, in em, for wrapping without measuring. */
  charWidth: 0.56,
  labelSize: 11,
  frameTitleSize: 18,
  /** Largest drawn width or height in pixels: a board spread far apart is scaled down. */
  maxPixels: 4096,
  margin: 40,
} as const;

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
const NOTE_LINES = Math.floor(
  (NOTE_SIZE.height - 2 * SVG_LAYOUT.padding - SVG_LAYOUT.labelSize - 4) / SVG_LAYOUT.lineHeight,
);
const LINE_CHARS = Math.floor(
  (NOTE_SIZE.width - 2 * SVG_LAYOUT.padding) / (SVG_LAYOUT.fontSize * SVG_LAYOUT.charWidth),
);

/**
 * Splits text into at most `maxLines` lines of at most `width` characters:
 * words kept whole when they fit, longer ones cut, line breaks kept, and an
 * ellipsis on the last line when something did not fit.
 */
export function wrapText(value: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  for (const paragraph of value.split(/\r\n|\r|\n/)) {
    let line: string[] = [];
    for (const word of paragraph.split(/[ \t]+/)) {
      let chars = [...word];
      while (chars.length > width) {
        if (line.length > 0) lines.push(line.join(''));
        lines.push(chars.slice(0, width).join(''));
        chars = chars.slice(width);
        line = [];
      }
      if (chars.length === 0) continue;
      if (line.length === 0) line = chars;
      else if (line.length + 1 + chars.length <= width) line.push(' ', ...chars);
      else {
        lines.push(line.join(''));
        line = chars;
      }
    }
    lines.push(line.join(''));
    if (lines.length > maxLines) break;
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = [...kept[maxLines - 1]!];
  kept[maxLines - 1] = `${last.slice(0, Math.max(0, width - 1)).join('')}…`;
  return kept;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const round = (v: number): number => Math.round(v * 100) / 100;

/**
 * Where a line of `text` starts between `left` and `right`, and the attributes
 * that set its direction. SVG has no `dir="auto"`: `direction` orders the
 * characters and makes `text-anchor="start"` mean the right end for
 * right-to-left text; `unicode-bidi="embed"` keeps neutral characters (the
 * "?", emoji, digits) inside that direction.
 */
export function textStart(text: string, left: number, right: number): { x: number; attrs: string } {
  const dir = textDirection(text);
  return {
    x: round(dir === 'rtl' ? right : left),
    attrs: `direction="${dir}" unicode-bidi="embed"`,
  };
}

/**
 * The frame around a group's notes, or around its own place when it holds
 * none: the canvas's own frame (`groupFrame`), so that frames laid out apart
 * on the board (issue 20 item 10) stay apart in the picture.
 */
function frameOf(group: Group, notes: readonly Note[]): Box {
  const r = groupFrame(group, notes);
  return { x: r.x0, y: r.y0, width: r.x1 - r.x0, height: r.y1 - r.y0 };
}

export interface SvgOptions {
  /** Only the notes of this agenda item (and the groups holding them). */
  itemId?: string | null;
}

/** The board (or one talk's part of it) as an SVG document. */
export function toBoardSvg(
  content: BoardSnapshot & { groups?: readonly Group[] },
  options: SvgOptions = {},
): string {
  const talks = new Map(content.agenda.items.map((i) => [i.id, i.title]));
  const itemId = options.itemId ?? null;
  const notes = content.notes
    .filter((n) => itemId === null || n.itemId === itemId)
    .sort((a, b) => a.z - b.z || a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const byGroup = new Map<string, Note[]>();
  for (const n of notes) {
    if (!n.groupId) continue;
    const list = byGroup.get(n.groupId) ?? [];
    list.push(n);
    byGroup.set(n.groupId, list);
  }
  const groups = (content.groups ?? []).filter((g) => itemId === null || byGroup.has(g.id));
  const frames = groups.map((g) => ({ group: g, box: frameOf(g, byGroup.get(g.id) ?? []) }));

  const title =
    itemId === null ? content.agenda.meta.title || content.board.title : (talks.get(itemId) ?? '');
  const heading = 40;
  const boxes: Box[] = [
    ...notes.map((n) => ({ x: n.x, y: n.y, width: NOTE_SIZE.width, height: NOTE_SIZE.height + 18 })),
    ...frames.map((f) => f.box),
  ];
  const m = SVG_LAYOUT.margin;
  const x0 = boxes.length ? Math.min(...boxes.map((b) => b.x)) - m : 0;
  const y0 = (boxes.length ? Math.min(...boxes.map((b) => b.y)) - m : 0) - heading;
  const x1 = boxes.length ? Math.max(...boxes.map((b) => b.x + b.width)) + m : 480;
  const y1 = boxes.length ? Math.max(...boxes.map((b) => b.y + b.height)) + m : 160;
  const vbWidth = Math.max(480, x1 - x0);
  const vbHeight = Math.max(160, y1 - y0);
  const scale = Math.min(1, SVG_LAYOUT.maxPixels / Math.max(vbWidth, vbHeight));
  const width = Math.max(1, Math.round(vbWidth * scale));
  const height = Math.max(1, Math.round(vbHeight * scale));

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" ` +
      `viewBox="${round(x0)} ${round(y0)} ${round(vbWidth)} ${round(vbHeight)}" ` +
      `font-family="${FONT}" role="img" aria-labelledby="board-title">`,
  );
  out.push(`<title id="board-title">${xmlText(title || 'Board')}</title>`);
  out.push(
    `<rect x="${round(x0)}" y="${round(y0)}" width="${round(vbWidth)}" height="${round(vbHeight)}" fill="#ffffff"/>`,
  );
  const heading0 = textStart(title || 'Board', x0 + m, x0 + vbWidth - m);
  out.push(
    `<text x="${heading0.x}" y="${round(y0 + 28)}" ${heading0.attrs} font-size="20" font-weight="bold" fill="#1a1a1a">${xmlText(title || 'Board')}</text>`,
  );
  if (notes.length === 0)
    out.push(
      `<text x="${round(x0 + m)}" y="${round(y0 + 80)}" font-size="16" fill="#555555">No notes.</text>`,
    );

  for (const { group, box } of frames) {
    const votes = totalVotes(group);
    out.push(`<g class="group" data-id="${xmlText(group.id)}">`);
    out.push(
      `<rect x="${round(box.x)}" y="${round(box.y)}" width="${round(box.width)}" height="${round(box.height)}" rx="12" fill="#f4f6fb" stroke="#5b6b8c" stroke-width="2" stroke-dasharray="8 4"/>`,
    );
    const label = `${group.title || 'Untitled group'}${votes > 0 ? ` (${votes} vote${votes === 1 ? '' : 's'})` : ''}`;
    const at = textStart(group.title, box.x + 14, box.x + box.width - 14);
    out.push(
      `<text x="${at.x}" y="${round(box.y + SVG_LAYOUT.frameTitleSize + 8)}" ${at.attrs} font-size="${SVG_LAYOUT.frameTitleSize}" font-weight="bold" fill="#1f2a44">${xmlText(label.slice(0, 120))}</text>`,
    );
    out.push('</g>');
  }

  for (const n of notes) {
    const c = noteColor(n.color);
    const lines = wrapText(n.text, LINE_CHARS, NOTE_LINES);
    const votes = totalVotes(n);
    out.push(`<g class="note" data-id="${xmlText(n.id)}">`);
    out.push(
      `<rect x="${round(n.x)}" y="${round(n.y)}" width="${NOTE_SIZE.width}" height="${NOTE_SIZE.height}" rx="6" fill="${c.fill}" stroke="${c.edge}" stroke-width="2"/>`,
    );
    if (lines.length > 0) {
      const at = textStart(n.text, n.x + SVG_LAYOUT.padding, n.x + NOTE_SIZE.width - SVG_LAYOUT.padding);
      out.push(
        `<text x="${at.x}" y="${round(n.y + SVG_LAYOUT.padding + SVG_LAYOUT.fontSize)}" ${at.attrs} font-size="${SVG_LAYOUT.fontSize}" fill="#1a1a1a">`,
      );
      lines.forEach((line, i) => {
        out.push(`<tspan x="${at.x}" dy="${i === 0 ? 0 : SVG_LAYOUT.lineHeight}">${xmlText(line)}</tspan>`);
      });
      out.push('</text>');
    }
    if (votes > 0)
      out.push(
        `<text x="${round(n.x + NOTE_SIZE.width - SVG_LAYOUT.padding)}" y="${round(n.y + NOTE_SIZE.height - SVG_LAYOUT.padding)}" font-size="${SVG_LAYOUT.labelSize}" text-anchor="end" fill="#1a1a1a">${votes} vote${votes === 1 ? '' : 's'}</text>`,
      );
    const talk = n.itemId ? talks.get(n.itemId) : undefined;
    if (talk) {
      const [label = ''] = wrapText(talk, Math.floor(NOTE_SIZE.width / (SVG_LAYOUT.labelSize * 0.56)), 1);
      const at = textStart(talk, n.x + 2, n.x + NOTE_SIZE.width - 2);
      out.push(
        `<text class="talk" x="${at.x}" y="${round(n.y + NOTE_SIZE.height + 14)}" ${at.attrs} font-size="${SVG_LAYOUT.labelSize}" fill="#444444">${xmlText(label)}</text>`,
      );
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
