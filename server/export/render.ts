import type { ExportContent } from './content';
import { toNotesCsv, toTasksCsv } from './csv';
import { toTasksIcs } from './ics';
import { toExportJson } from './json';
import { toMinutesMarkdown } from './markdown';
import { toBoardSvg } from './svg';

/** The downloads of a board, by the last part of their route (`/api/boards/:id/<name>`). */
export const EXPORT_NAMES = [
  'export.json',
  'export.md',
  'tasks.csv',
  'tasks.ics',
  'notes.csv',
  'board.svg',
] as const;
export type ExportName = (typeof EXPORT_NAMES)[number];

/** Thrown when a parameter names something the board does not hold (the route answers 404). */
export class MissingInBoard extends Error {}

/**
 * One export's text from a board's content. Pure, so that it runs in a worker
 * thread (server/work/tasks.ts). `itemId` (board.svg only) must name one of
 * the board's agenda items.
 */
export function renderExport(name: ExportName, content: ExportContent, itemId: string | null = null): string {
  switch (name) {
    case 'export.json':
      return `${JSON.stringify(toExportJson(content), null, 2)}\n`;
    case 'export.md':
      return toMinutesMarkdown(content);
    case 'tasks.csv':
      return toTasksCsv(content);
    case 'tasks.ics':
      return toTasksIcs(content);
    case 'notes.csv':
      return toNotesCsv(content);
    case 'board.svg':
      if (itemId !== null && !content.agenda.items.some((i) => i.id === itemId))
        throw new MissingInBoard('no such agenda item on this board');
      return toBoardSvg(content, { itemId });
  }
}
