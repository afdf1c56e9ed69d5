export { toExportJson, type ExportJson } from './json';
export { toMinutesMarkdown } from './markdown';
export { toTasksCsv, TASKS_CSV_COLUMNS } from './csv';
export { toTasksIcs } from './ics';
export { slugify } from './filename';
export { toNotesCsv, NOTES_CSV_COLUMNS } from './csv';
export { toBoardSvg, wrapText, xmlText } from './svg';
export { withGroups, type ExportContent } from './content';
