import { MediaQuery } from 'svelte/reactivity';
import { isBool, readPref, writePref } from '../components/prefs';

export type Area = 'agenda' | 'board' | 'tasks';
export type SideArea = 'agenda' | 'tasks';

export const AREAS: readonly { id: Area; label: string }[] = [
  { id: 'agenda', label: 'Agenda' },
  { id: 'board', label: 'Board' },
  { id: 'tasks', label: 'Tasks' },
];

const readPanel = (which: SideArea): boolean | null =>
  readPref<boolean | null>(`panel.${which}`, (v): v is boolean | null => v === null || isBool(v), null);

/**
 * How the board page lays out its three areas. Phones get one area at a
 * time, as tabs; tablets and laptops a canvas with the agenda and tasks as
 * panels, open or closed as each person left them in this browser (open by
 * default on wide screens, where they sit beside the canvas).
 */
export class PanelLayout {
  readonly wide = new MediaQuery('min-width: 1280px');
  readonly phone = new MediaQuery('max-width: 699px');
  activeTab = $state<Area>('board');
  /** Null: never chosen here (then open on wide screens). */
  agendaChoice = $state<boolean | null>(readPanel('agenda'));
  tasksChoice = $state<boolean | null>(readPanel('tasks'));
  readonly agendaOpen = $derived(this.agendaChoice ?? this.wide.current);
  readonly tasksOpen = $derived(this.tasksChoice ?? this.wide.current);
  /** A side area's code loads the first time it shows, and stays once shown (issue 18). */
  readonly shown = $state({ agenda: false, tasks: false });

  setPanel(which: SideArea, open: boolean): void {
    if (which === 'agenda') this.agendaChoice = open;
    else this.tasksChoice = open;
    writePref(`panel.${which}`, open);
  }

  /** Whether a side area shows now (its tab on a phone, its panel elsewhere). */
  shows(area: SideArea): boolean {
    if (this.phone.current) return this.activeTab === area;
    return area === 'agenda' ? this.agendaOpen : this.tasksOpen;
  }

  /** Call from an `$effect.pre`: a phone opens on the board, so its first load has neither side area. */
  markShown(): void {
    if (this.shows('agenda')) this.shown.agenda = true;
    if (this.shows('tasks')) this.shown.tasks = true;
  }

  hiddenOnPhone(area: Area): boolean {
    return this.phone.current && this.activeTab !== area;
  }

  /** Skip links and shortcuts: show an area (its tab on a phone, its panel elsewhere) and focus it. */
  reveal(area: Area): void {
    if (this.phone.current) this.activeTab = area;
    else if (area !== 'board') this.setPanel(area, true);
    requestAnimationFrame(() => document.getElementById(`area-${area}`)?.focus());
  }

  /** Escape on a tablet: panels chosen open over the canvas close. */
  closeOverlays(): void {
    if (this.phone.current || this.wide.current) return;
    if (this.agendaOpen && this.agendaChoice !== null) this.setPanel('agenda', false);
    if (this.tasksOpen && this.tasksChoice !== null) this.setPanel('tasks', false);
  }
}
