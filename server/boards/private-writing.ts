/**
 * The private writing phase (docs/SPEC.md PW1–PW3). While it lasts, a new note
 * goes to its author's own document (`mine`, opened only by that identity), so
 * no transport, export, snapshot or picture of the board can carry its text;
 * the board holds only the phase and a count per author. "Reveal" moves every
 * private note onto the board as a server change, keeping its author, talk and
 * colour, placed in its talk's lane.
 */
import * as Y from 'yjs';
import { laneSpot } from '../../shared/ops/lanes';
import { addNote } from '../../shared/ops/board';
import {
  boardInfo,
  boardNotes,
  isPrivateWriting,
  privateNotes,
  readItems,
  readNotes,
  serverOrigin,
  type Note,
} from '../../shared/schema';
import type { DocAccess } from '../sync/doc-access';
import type { Logger } from '../log';

const origin = serverOrigin('private-writing');

/** The board's map of private note counts per author, made when missing. */
function countsMap(board: Y.Doc): Y.Map<number> {
  const info = boardInfo(board);
  const m = info.get('privateCounts');
  if (m instanceof Y.Map) return m as Y.Map<number>;
  const fresh = new Y.Map<number>();
  info.set('privateCounts', fresh);
  return fresh;
}

/** Starts private writing (PW1). Starting it again changes nothing. */
export async function startPrivateWriting(docs: DocAccess, boardId: string): Promise<void> {
  await docs.change(boardId, 'board', 'private writing', (d) => {
    if (!isPrivateWriting(d)) boardInfo(d).set('privateWriting', true);
    countsMap(d);
  });
}

/** Keeps the board's count of one person's private notes equal to what their document holds. */
export async function recordPrivateCount(
  docs: DocAccess,
  boardId: string,
  owner: string,
  count: number,
): Promise<void> {
  await docs.change(boardId, 'board', 'private count', (d) => {
    const counts = countsMap(d);
    if (count > 0 && counts.get(owner) !== count) counts.set(owner, count);
    else if (count === 0 && counts.has(owner)) counts.delete(owner);
  });
}

/**
 * Ends private writing and moves every private note onto the board (PW2).
 * Idempotent and restartable: the phase ends first (the gate then refuses new
 * private notes), each author's notes are copied under their own ids (a note
 * already on the board is not copied twice) and only then removed from the
 * author's document; an author leaves the count once their document is empty.
 * Reveal after a restart finds the authors still counted and finishes. Returns
 * how many notes it moved.
 */
export async function reveal(docs: DocAccess, boardId: string, log: Logger): Promise<number> {
  let authors: string[] = [];
  await docs.change(boardId, 'board', 'reveal', (d) => {
    if (isPrivateWriting(d)) boardInfo(d).set('privateWriting', false);
    authors = [...countsMap(d).keys()];
  });
  const items = await docs.read(boardId, 'agenda', (d) => readItems(d));
  let moved = 0;
  for (const owner of authors) {
    const notes = await docs.read(boardId, 'mine', (d) => readNotes(d), owner);
    await docs.change(boardId, 'board', 'reveal', (d) => {
      const onBoard = boardNotes(d);
      const placed: { x: number; y: number }[] = readNotes(d);
      // Oldest first, so that a lane reads in the order the notes were written.
      for (const n of [...notes].sort((a, b) => a.createdAt - b.createdAt)) {
        if (onBoard.has(n.id)) continue;
        // Group frames are not avoided here: a lane is free of them unless someone drew one there.
        const p = laneSpot(placed, [], n.itemId, items);
        addNote(d, toNewNote(n, p), origin);
        placed.push(p);
        moved++;
      }
    });
    await docs.change(
      boardId,
      'mine',
      'reveal',
      (d) => {
        const mine = privateNotes(d);
        for (const n of notes) mine.delete(n.id);
      },
      owner,
    );
    // The document's own count hook records 0 too; this makes it so without waiting for it.
    const left = await docs.read(boardId, 'mine', (d) => privateNotes(d).size, owner);
    await recordPrivateCount(docs, boardId, owner, left);
  }
  log.info({ board: boardId, moved, authors: authors.length }, 'private notes revealed');
  return moved;
}

const toNewNote = (n: Note, p: { x: number; y: number }) => ({
  id: n.id,
  text: n.text,
  x: p.x,
  y: p.y,
  color: n.color,
  authorId: n.authorId,
  authorName: n.authorName,
  itemId: n.itemId,
  createdAt: n.createdAt,
});

/**
 * Keeps the board's count of `owner`'s private notes following their document
 * (loaded from the store, written to by their tabs, emptied by Reveal): one
 * board change per burst of updates, after the burst.
 */
export function followPrivateCount(
  docs: DocAccess,
  boardId: string,
  owner: string,
  doc: Y.Doc,
  log: Logger,
): void {
  let scheduled = false;
  const record = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      recordPrivateCount(docs, boardId, owner, privateNotes(doc).size).catch((e: unknown) =>
        log.warn({ err: e, board: boardId }, 'could not record a private note count'),
      );
    });
  };
  doc.on('update', record);
  record();
}
