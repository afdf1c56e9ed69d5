import * as Y from 'yjs';
import { boardNotes, readNotes, type AgendaItem, type Note, type Origin } from '../schema';

/**
 * Laying the board's notes out by talk: columns per agenda item (the list
 * view), blocks per item (Arrange by talk), and the moves, in transactions
 * small enough for the server's update limits.
 */

/** Size of a note in world units: used by layout here and by the canvas. */
export const NOTE_SIZE = { width: 200, height: 140 } as const;

export interface TalkColumn {
  /** Agenda item id, or null for notes written outside any item. */
  itemId: string | null;
  title: string;
  x: number;
  noteIds: string[];
}

const COLUMN_GAP = 40;
const ROW_GAP = 20;
/** Leaves room above each column for its heading. */
export const COLUMN_TOP = 60;

/**
 * One column per agenda item that has notes, in agenda order, then a column
 * for notes without (or with an unknown) item; notes in a column by creation time.
 */
export function talkColumns(notes: readonly Note[], items: readonly AgendaItem[]): TalkColumn[] {
  const byItem = new Map<string | null, Note[]>();
  const known = new Set(items.map((i) => i.id));
  for (const n of [...notes].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))) {
    const key = n.itemId !== null && known.has(n.itemId) ? n.itemId : null;
    const list = byItem.get(key);
    if (list) list.push(n);
    else byItem.set(key, [n]);
  }
  const columns: TalkColumn[] = [];
  const push = (itemId: string | null, title: string): void => {
    const list = byItem.get(itemId);
    if (!list) return;
    columns.push({
      itemId,
      title,
      x: columns.length * (NOTE_SIZE.width + COLUMN_GAP),
      noteIds: list.map((n) => n.id),
    });
  };
  for (const item of items) push(item.id, item.title);
  push(null, 'No talk');
  return columns;
}

/** One talk's notes laid out as a grid (NB7). */
export interface TalkBlock extends TalkColumn {
  /** Top of the block's notes (its heading sits above, in the `COLUMN_TOP` margin). */
  y: number;
  /** Notes per row. */
  cols: number;
  width: number;
  height: number;
}

/** Up to this many notes a talk keeps one column; more make a grid about 1.5 times wider than tall. */
export const SINGLE_COLUMN_NOTES = 6;
/** Blocks wrap to a new row past this width, so the whole board stays roughly screen-shaped. */
export const BLOCK_ROW_WIDTH = 4800;
const BLOCK_GAP = 80;

/**
 * Where each talk's notes go when arranging (NB7): one block per talk in
 * agenda order (untagged last, see `talkColumns`), a single column for a few
 * notes and a grid for many, so 200 notes of one talk make a block about
 * 18 × 12 instead of a column 200 notes tall. Blocks run left to right and
 * wrap into rows.
 */
export function talkBlocks(notes: readonly Note[], items: readonly AgendaItem[]): TalkBlock[] {
  const cellW = NOTE_SIZE.width + COLUMN_GAP;
  const cellH = NOTE_SIZE.height + ROW_GAP;
  const blocks: TalkBlock[] = [];
  let x = 0;
  let y = COLUMN_TOP;
  let rowHeight = 0;
  for (const col of talkColumns(notes, items)) {
    const n = col.noteIds.length;
    const cols = n <= SINGLE_COLUMN_NOTES ? 1 : Math.ceil(Math.sqrt(n * 1.5));
    const rows = Math.ceil(n / cols);
    const width = cols * cellW - COLUMN_GAP;
    const height = rows * cellH - ROW_GAP;
    if (x > 0 && x + width > BLOCK_ROW_WIDTH) {
      x = 0;
      y += rowHeight + BLOCK_GAP + COLUMN_TOP;
      rowHeight = 0;
    }
    blocks.push({ ...col, x, y, cols, width, height });
    x += width + COLUMN_GAP + BLOCK_GAP;
    rowHeight = Math.max(rowHeight, height);
  }
  return blocks;
}

/**
 * Notes moved per transaction when arranging: each transaction is one update,
 * and the server refuses updates over `UPDATE_LIMITS` (two structs and two
 * deleted ranges per moved note).
 */
export const ARRANGE_CHUNK = 1500;

/**
 * Lays the notes out in talk blocks (see `talkBlocks`). A full board is moved
 * in a few transactions of at most ARRANGE_CHUNK notes, made one after another
 * with the same origin, so an UndoManager still takes them as one step.
 */
export function arrangeByTalk(doc: Y.Doc, agendaItems: readonly AgendaItem[], origin: Origin): TalkBlock[] {
  const blocks = talkBlocks(readNotes(doc), agendaItems);
  const moves: [string, number, number][] = [];
  for (const b of blocks)
    b.noteIds.forEach((id, i) =>
      moves.push([
        id,
        b.x + (i % b.cols) * (NOTE_SIZE.width + COLUMN_GAP),
        b.y + Math.floor(i / b.cols) * (NOTE_SIZE.height + ROW_GAP),
      ]),
    );
  const map = boardNotes(doc);
  for (let start = 0; start < moves.length; start += ARRANGE_CHUNK) {
    doc.transact(() => {
      for (const [id, x, y] of moves.slice(start, start + ARRANGE_CHUNK)) {
        const m = map.get(id);
        if (!(m instanceof Y.Map)) continue;
        if (m.get('x') !== x) m.set('x', x);
        if (m.get('y') !== y) m.set('y', y);
      }
    }, origin);
  }
  return blocks;
}
