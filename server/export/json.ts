import type { Agenda, Group, Task } from '../../shared/schema';
import type { BoardSnapshot } from '../boards/snapshot';
import type { QuestionView } from '../questions/service';

/** The plain JSON export (public contract, issue 2 item 6): texts as strings, items sorted by start. */
export interface ExportJson {
  agenda: Agenda;
  notes: {
    id: string;
    text: string;
    x: number;
    y: number;
    color: string;
    authorName: string;
    itemId: string | null;
    createdAt: number;
    /** voter id -> votes that voter gave the note */
    votes: Record<string, number>;
    /** The group the note is in (one of `groups`), or null. */
    groupId: string | null;
  }[];
  /** Groups of notes (issue 11), sorted by title. */
  groups: {
    id: string;
    title: string;
    /** Its notes, in the order of `notes`. */
    noteIds: string[];
    /** voter id -> votes that voter gave the group */
    votes: Record<string, number>;
  }[];
  tasks: Pick<Task, 'id' | 'title' | 'owner' | 'due' | 'status' | 'noteId' | 'itemId'>[];
  /** Q&A (issue 11): `authorName` null when anonymous; `pending` and `hidden` only in an organizer's export. */
  questions: {
    id: string;
    text: string;
    authorName: string | null;
    itemId: string | null;
    createdAt: number;
    upvotes: number;
    status: QuestionView['status'];
  }[];
}

export function toExportJson(
  snapshot: BoardSnapshot & { groups?: readonly Group[]; questions?: readonly QuestionView[] },
): ExportJson {
  const { agenda } = snapshot;
  const groups = snapshot.groups ?? [];
  const known = new Set(groups.map((g) => g.id));
  // A note naming a group that is gone (removed concurrently) is in no group.
  const groupOf = (id: string | null | undefined): string | null => (id && known.has(id) ? id : null);
  // Anonymous notes stay anonymous when they leave the room.
  const anonymous = agenda.live.anonymousNotes;
  return {
    agenda: {
      meta: { ...agenda.meta, links: { ...agenda.meta.links } },
      // readAgenda already sorts; sorting again keeps the contract independent of the caller.
      items: [...agenda.items].sort(
        (a, b) => a.start.localeCompare(b.start) || a.title.localeCompare(b.title),
      ),
      live: { ...agenda.live },
    },
    notes: snapshot.notes.map((n) => ({
      id: n.id,
      text: n.text,
      x: n.x,
      y: n.y,
      color: n.color,
      authorName: anonymous ? '' : n.authorName,
      itemId: n.itemId,
      createdAt: n.createdAt,
      votes: { ...n.votes },
      groupId: groupOf(n.groupId),
    })),
    groups: groups.map((g) => ({
      id: g.id,
      title: g.title,
      noteIds: snapshot.notes.filter((n) => groupOf(n.groupId) === g.id).map((n) => n.id),
      votes: { ...g.votes },
    })),
    tasks: snapshot.tasks.map((t) => ({
      id: t.id,
      title: t.title,
      owner: t.owner,
      due: t.due,
      status: t.status,
      noteId: t.noteId,
      itemId: t.itemId,
    })),
    questions: (snapshot.questions ?? []).map((q) => ({
      id: q.id,
      text: q.text,
      authorName: q.authorName,
      itemId: q.itemId,
      createdAt: q.createdAt,
      upvotes: q.upvotes,
      status: q.status,
    })),
  };
}
