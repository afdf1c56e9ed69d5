import type { ItemKind } from '../../shared/schema';
import type { TemplateId } from '../../shared/protocol/sharing';
import type { BoardContent } from './content';

/**
 * What a board started from a template holds (DU2). Agendas are undated
 * (the organizer sets the day) in the creator's time zone; nothing is live
 * yet: voting opens and the timer starts when the organizer says so.
 */

type Slot = [start: string, minutes: number, title: string, kind: ItemKind];

const agenda = (slots: Slot[]): BoardContent['items'] =>
  slots.map(([start, minutes, title, kind], i) => ({ key: `i${i}`, start, minutes, title, kind }));

const WORKSHOP: Slot[] = [
  ['09:00', 30, 'Welcome and introductions', 'other'],
  ['09:30', 45, 'Keynote', 'talk'],
  ['10:15', 15, 'Coffee break', 'break'],
  ['10:30', 30, 'Session 1: first talk', 'talk'],
  ['11:00', 30, 'Session 1: second talk', 'talk'],
  ['11:30', 30, 'Discussion of the morning', 'discussion'],
  ['12:00', 60, 'Lunch', 'break'],
  ['13:00', 30, 'Session 2: first talk', 'talk'],
  ['13:30', 30, 'Session 2: second talk', 'talk'],
  ['14:00', 45, 'Breakout groups', 'discussion'],
  ['14:45', 15, 'Coffee break', 'break'],
  ['15:00', 60, 'Reports from the breakout groups', 'discussion'],
  ['16:00', 60, 'Next steps and wrap-up', 'discussion'],
];

const RETRO: Slot[] = [
  ['10:00', 5, 'Check-in', 'other'],
  ['10:05', 15, 'Write notes in the three columns', 'discussion'],
  ['10:20', 10, 'Group and vote', 'discussion'],
  ['10:30', 20, 'Discuss the top topics', 'discussion'],
  ['10:50', 10, 'Actions and owners', 'discussion'],
];

const BRAINSTORM: Slot[] = [
  ['10:00', 10, 'The question we brainstorm on', 'talk'],
  ['10:10', 10, 'Silent brainstorming', 'discussion'],
  ['10:20', 10, 'Group similar ideas', 'discussion'],
  ['10:30', 5, 'Dot voting', 'discussion'],
  ['10:35', 20, 'Discuss the top ideas', 'discussion'],
  ['10:55', 5, 'Next steps', 'other'],
];

/** Width of a retrospective column: room for three notes side by side. */
const COLUMN = 720;

export function templateContent(id: TemplateId, title: string, timeZone: string): BoardContent {
  const meta = { title, timeZone, date: '' };
  const empty = { groups: [], notes: [], tasks: [] };
  switch (id) {
    case 'workshop':
      return {
        ...empty,
        meta,
        items: agenda(WORKSHOP),
        settings: { votesPerPerson: 5, timerLabel: 'Discussion' },
        tasks: [
          { title: 'Send the minutes and the slides to everyone', due: null, item: null, note: null },
          { title: 'Collect feedback from the participants', due: null, item: null, note: null },
        ],
      };
    case 'retrospective':
      return {
        ...empty,
        meta,
        items: agenda(RETRO),
        settings: { votesPerPerson: 3, timerLabel: 'Write notes' },
        groups: ['Went well', 'To improve', 'To try next'].map((t, i) => ({
          key: `g${i}`,
          title: t,
          x: i * COLUMN,
          y: 0,
        })),
      };
    case 'brainstorm':
      return {
        ...empty,
        meta,
        items: agenda(BRAINSTORM),
        settings: { votesPerPerson: 5, hideVotes: true, timerLabel: 'Silent brainstorming' },
      };
  }
}
