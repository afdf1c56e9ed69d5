import {
  agendaLive,
  boardNotes,
  boardRoster,
  localOrigin,
  readAgenda,
  readLive,
  readNotes,
  readRoster,
  readTasks,
  taskMap,
  totalVotes,
  type Agenda,
  type LiveState,
  type Note,
  type Origin,
  type RosterEntry,
  type Task,
  type TaskStatus,
} from '$shared/schema';
import { setDiscussionNote } from '$shared/ops/live';
import {
  assignTask,
  byOwner,
  byStatus,
  byTalk,
  createTask,
  createTaskFromNote,
  deleteTask,
  discussionTopics,
  isOverdue,
  isoDateAt,
  mine,
  setDue,
  setStatus,
  taskTitle,
  tasksForNote,
  type OwnerGroup,
  type TalkGroup,
  type TaskInput,
} from '$shared/ops/tasks';
import { taskLimitDenial } from '$shared/policy';
import { download } from '../download';
import { YDocView, YView } from '../sync/reactive.svelte';
import { EditGuard } from '../sync/edit-guard.svelte';
import { saveBlob } from '../history/picture';
import { sharedState } from '../sync/state-life';
import type { BoardSessionApi } from '../sync/types';
import type { TextBinding } from './text-binding';

export type TaskViewName = 'all' | 'mine' | 'owner' | 'status' | 'talk';

export const TASK_VIEWS: { name: TaskViewName; label: string }[] = [
  { name: 'all', label: 'All' },
  { name: 'mine', label: 'Mine' },
  { name: 'owner', label: 'By owner' },
  { name: 'status', label: 'By status' },
  { name: 'talk', label: 'By talk' },
];

export const STATUS_LABEL: Record<TaskStatus, string> = {
  open: 'Open',
  doing: 'Doing',
  done: 'Done',
};

/** A section of the task list: a heading (or none) and its tasks. */
export interface TaskSection {
  key: string;
  heading: string | null;
  tasks: Task[];
}

export type DownloadKind = 'md' | 'csv' | 'ics' | 'notes' | 'svg';

/** Every export the server offers has a button (issue 20): the notes and the board picture too. */
const DOWNLOAD_PATH: Record<DownloadKind, string> = {
  md: 'export.md',
  csv: 'tasks.csv',
  ics: 'tasks.ics',
  notes: 'notes.csv',
  svg: 'board.svg',
};

/**
 * Reactive state of the tasks area for one board session. Components read
 * the getters (which track the Yjs documents only while rendered) and call
 * the intent methods; they never touch Yjs themselves.
 */
export class TasksState {
  readonly #tasks: YView<Task[]>;
  readonly #roster: YView<RosterEntry[]>;
  readonly #notes: YView<Note[]>;
  readonly #agenda: YDocView<Agenda>;
  readonly #live: YView<LiveState>;

  view = $state<TaskViewName>('all');
  /** Last validation or permission error to show next to the form. */
  readonly #guard = new EditGuard(
    () => this.canEdit,
    'You can read tasks but not change them with this link.',
  );
  get error(): string | null {
    return this.#guard.error;
  }
  set error(message: string | null) {
    this.#guard.error = message;
  }

  constructor(readonly session: BoardSessionApi) {
    const { tasks, board, agenda } = session.docs;
    this.#tasks = new YView(taskMap(tasks), () => readTasks(tasks));
    this.#roster = new YView(boardRoster(board), () => readRoster(board));
    this.#notes = new YView(boardNotes(board), () => readNotes(board));
    this.#agenda = new YDocView(agenda, () => readAgenda(agenda));
    this.#live = new YView(agendaLive(agenda), () => readLive(agenda));
  }

  get origin(): Origin {
    return localOrigin(this.session.user.id);
  }

  get canEdit(): boolean {
    return this.session.canWrite('tasks');
  }

  get isOrganizer(): boolean {
    return this.session.role === 'organizer';
  }

  get tasks(): Task[] {
    return this.#tasks.current;
  }

  get roster(): RosterEntry[] {
    return this.#roster.current;
  }

  get notes(): Note[] {
    return this.#notes.current;
  }

  get agenda(): Agenda {
    return this.#agenda.current;
  }

  get live(): LiveState {
    return this.#live.current;
  }

  /** Today at the event (its time zone), on the shared server clock. */
  get today(): string {
    return isoDateAt(this.session.clock.now(), this.agenda.meta.timeZone);
  }

  overdue(task: Task, today: string): boolean {
    return isOverdue(task, today);
  }

  get mine(): Task[] {
    return mine(this.tasks, this.session.user);
  }

  get ownerGroups(): OwnerGroup[] {
    return byOwner(this.tasks);
  }

  /** The current view as headed sections. */
  get sections(): TaskSection[] {
    const tasks = this.tasks;
    switch (this.view) {
      case 'all':
        return [{ key: 'all', heading: null, tasks }];
      case 'mine':
        return [{ key: 'mine', heading: null, tasks: this.mine }];
      case 'owner':
        return byOwner(tasks).map((g) => ({
          key: `owner:${g.owner.toLowerCase()}`,
          heading: `${g.owner || 'Unassigned'} (${g.count})`,
          tasks: g.tasks,
        }));
      case 'status':
        return byStatus(tasks).map((g) => ({
          key: `status:${g.status}`,
          heading: `${STATUS_LABEL[g.status]} (${g.tasks.length})`,
          tasks: g.tasks,
        }));
      case 'talk':
        return byTalk(tasks, this.agenda.items).map((g: TalkGroup) => ({
          key: `talk:${g.itemId ?? ''}`,
          heading: `${g.title || (g.itemId ? 'Untitled item' : 'Not linked to a talk')} (${g.tasks.length})`,
          tasks: g.tasks,
        }));
    }
  }

  /** Roster names as owner suggestions (people who left included). */
  get ownerSuggestions(): RosterEntry[] {
    return this.roster.filter((r) => r.name !== '');
  }

  /**
   * An owner as typed or picked: when the name is someone in the roster, the
   * task also gets their id so that it shows under their "mine".
   */
  resolveOwner(name: string): { owner: string; ownerId: string } {
    const n = name.trim();
    const lower = n.toLocaleLowerCase();
    const matches = this.roster.filter((r) => r.name.trim().toLocaleLowerCase() === lower);
    // Two people with the same name: keep the name only rather than guess.
    return { owner: n, ownerId: n !== '' && matches.length === 1 ? matches[0]!.id : '' };
  }

  /** Why no task can be added now (the board's task limit), or null. */
  #full(): boolean {
    const full = taskLimitDenial(this.tasks.length);
    if (full && this.canEdit) this.error = `${full.charAt(0).toUpperCase()}${full.slice(1)}.`;
    return full !== null && this.canEdit;
  }

  create(input: Omit<TaskInput, 'ownerId' | 'createdAt'>): string | null {
    if (this.#full()) return null;
    return this.#guard.run(() =>
      createTask(
        this.session.docs.tasks,
        { ...input, ...this.resolveOwner(input.owner ?? ''), createdBy: this.session.user.id },
        this.origin,
      ),
    );
  }

  createFromNote(noteId: string): string | null {
    const note = this.notes.find((n) => n.id === noteId);
    if (!note) {
      this.error = 'That note no longer exists.';
      return null;
    }
    if (this.#full()) return null;
    return this.#guard.run(() =>
      createTaskFromNote(this.session.docs.tasks, note, this.origin, { createdBy: this.session.user.id }),
    );
  }

  assign(id: string, name: string): void {
    this.#guard.run(() => assignTask(this.session.docs.tasks, id, this.resolveOwner(name), this.origin));
  }

  setDue(id: string, due: string): void {
    this.#guard.run(() => setDue(this.session.docs.tasks, id, due === '' ? null : due, this.origin));
  }

  setStatus(id: string, status: TaskStatus): void {
    this.#guard.run(() => setStatus(this.session.docs.tasks, id, status, this.origin));
  }

  remove(id: string): void {
    this.#guard.run(() => deleteTask(this.session.docs.tasks, id, this.origin));
  }

  tasksForNote(noteId: string): Task[] {
    return tasksForNote(this.tasks, noteId);
  }

  /** What a title editor binds to (see `bindYText`); null when the task is gone. */
  titleBinding(id: string): TextBinding | null {
    const text = taskTitle(this.session.docs.tasks, id);
    return text ? { text, origin: this.origin, readonly: !this.canEdit } : null;
  }

  /* ---------- Discussion mode ---------- */

  get topics(): Note[] {
    return discussionTopics(this.notes);
  }

  get focusedNote(): Note | null {
    const id = this.live.discussionNoteId;
    return id === null ? null : (this.notes.find((n) => n.id === id) ?? null);
  }

  /** 1-based position of the focused note among the topics, or 0 when it is not one. */
  get topicNumber(): number {
    const id = this.live.discussionNoteId;
    return id === null ? 0 : this.topics.findIndex((n) => n.id === id) + 1;
  }

  votesOf(note: Note): number {
    return totalVotes(note);
  }

  /** Vote counts stay hidden from non-organizers while the organizer hides them. */
  get showVotes(): boolean {
    return this.isOrganizer || !this.live.hideVotes;
  }

  #focus(noteId: string | null): void {
    if (!this.isOrganizer) return;
    try {
      setDiscussionNote(this.session.docs.agenda, noteId, this.origin);
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  startDiscussion(): void {
    const first = this.topics[0];
    if (!first) {
      this.error = 'There are no notes to discuss yet.';
      return;
    }
    this.#focus(first.id);
  }

  stopDiscussion(): void {
    this.#focus(null);
  }

  /** Move by `step` topics; from a note that is no longer a topic, restart at the first. */
  stepDiscussion(step: 1 | -1): void {
    const topics = this.topics;
    if (topics.length === 0) return;
    const i = this.topicNumber - 1;
    const next = i < 0 ? 0 : Math.min(topics.length - 1, Math.max(0, i + step));
    this.#focus(topics[next]!.id);
  }

  /* ---------- Downloads ---------- */

  /**
   * Fetches an export with the token in the Authorization header (never in a
   * URL, where it would reach logs and history) and saves it as a file.
   */
  async download(kind: DownloadKind): Promise<void> {
    const res = await download(
      `/api/boards/${encodeURIComponent(this.session.boardId)}/${DOWNLOAD_PATH[kind]}`,
      this.session.token,
    );
    if (!res.ok) {
      this.error = `Download failed (${res.status}).`;
      return;
    }
    const name = res.filename ?? DOWNLOAD_PATH[kind];
    saveBlob(res.blob, name);
    this.error = null;
  }
}

/**
 * One TasksState per session (and per generation of its documents), shared
 * by the panel and every "Make task" button, so a board with hundreds of
 * notes keeps one observer and one cached task list rather than one per note.
 */
export const tasksStateFor = (session: BoardSessionApi): TasksState => sharedState(session, TasksState);
