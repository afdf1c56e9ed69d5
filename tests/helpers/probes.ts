/**
 * Schema-valid changes for tests that only need "something" to sync: since the
 * rule gate (docs/SPEC.md G1) refuses content outside the schema, tests write
 * into a note's text, a task's title or the agenda title instead of free roots.
 */
import * as Y from 'yjs';
import { addNote, noteText } from '../../shared/ops/board';
import { agendaMeta, localOrigin, readNotes, readTasks, taskMap, type DocKind } from '../../shared/schema';

/** Who writes: what the server's `session` event says about a connection. */
export interface Who {
  userId: string;
  name: string;
}

/** The session of a test client, once the server sent it. */
export const whoOf = (c: { session: { userId: string; name: string } | null }): Who => {
  if (!c.session) throw new Error('no session yet: wait for the client to sync first');
  return { userId: c.session.userId, name: c.session.name };
};

/** A note's text of `who` (the note is created on first use) to type into. */
export function noteScratch(doc: Y.Doc, who: Who, id = 'scratch'): Y.Text {
  const existing = noteText(doc, id);
  if (existing) return existing;
  addNote(
    doc,
    { id, text: '', x: 0, y: 0, authorId: who.userId, authorName: who.name, itemId: null, createdAt: 1 },
    localOrigin(who.userId),
  );
  return noteText(doc, id)!;
}

/** A task's title to type into (the task is created on first use). */
export function taskScratch(doc: Y.Doc, id = 'scratch'): Y.Text {
  const tasks = taskMap(doc);
  const m = tasks.get(id);
  const title = m instanceof Y.Map ? m.get('title') : null;
  if (title instanceof Y.Text) return title;
  const t = new Y.Text();
  doc.transact(() => {
    const task = new Y.Map<unknown>();
    task.set('title', t);
    task.set('status', 'open');
    task.set('createdAt', 1);
    tasks.set(id, task);
  });
  return t;
}

/** Types `text` at the start of a task's title, creating the task with it in one change. */
export function typeTask(doc: Y.Doc, text: string, id = 'scratch'): void {
  const m = taskMap(doc).get(id);
  const title = m instanceof Y.Map ? m.get('title') : null;
  if (title instanceof Y.Text) {
    title.insert(0, text);
    return;
  }
  doc.transact(() => {
    const task = new Y.Map<unknown>();
    task.set('title', new Y.Text(text));
    task.set('status', 'open');
    task.set('createdAt', 1);
    taskMap(doc).set(id, task);
  });
}

/** A task's title as this copy sees it ('' when there is no such task). Writes nothing. */
export const taskText = (doc: Y.Doc, id = 'scratch'): string =>
  readTasks(doc).find((t) => t.id === id)?.title ?? '';

/** A note's text as this copy sees it ('' when there is no such note). Writes nothing. */
export const noteTextOf = (doc: Y.Doc, id: string): string =>
  readNotes(doc).find((n) => n.id === id)?.text ?? '';

/** Writes `value` into a schema-valid place of `kind` (agenda title, a note, a task). */
export function writeProbe(doc: Y.Doc, kind: DocKind, value: string, who: Who): void {
  if (kind === 'agenda') agendaMeta(doc).set('title', value);
  else if (kind === 'board') {
    const t = noteText(doc, 'probe');
    if (t) t.insert(0, value);
    else {
      const note = { id: 'probe', text: value, x: 0, y: 0, itemId: null, createdAt: 1 };
      addNote(doc, { ...note, authorId: who.userId, authorName: who.name }, localOrigin(who.userId));
    }
  } else typeTask(doc, value, 'probe');
}

/** What `writeProbe` wrote, as this copy of the document sees it ('' when nothing). */
export function readProbe(doc: Y.Doc, kind: DocKind): string {
  if (kind === 'agenda') {
    const t = agendaMeta(doc).get('title');
    return typeof t === 'string' ? t : '';
  }
  if (kind === 'board') return readNotes(doc).find((n) => n.id === 'probe')?.text ?? '';
  return readTasks(doc).find((t) => t.id === 'probe')?.title ?? '';
}
