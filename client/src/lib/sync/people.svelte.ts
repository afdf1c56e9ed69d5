import { createSubscriber } from 'svelte/reactivity';
import type { Awareness } from 'y-protocols/awareness';
import { cleanText, LIMITS, ROLES, type Role } from '$shared/schema';

export interface Person {
  /** Per-browser user id (one person with two tabs is listed once). */
  id: string;
  name: string;
  color: string;
  role: Role | null;
  isSelf: boolean;
}

const COLOR = /^#[0-9a-f]{3,8}$/i;

/** A peer's presence is untrusted: keep only well-formed fields. */
export function personFrom(state: unknown, isSelf: boolean): Person | null {
  if (!state || typeof state !== 'object') return null;
  const user = (state as { user?: unknown }).user;
  if (!user || typeof user !== 'object') return null;
  const u = user as Record<string, unknown>;
  const name = cleanText(u.name, LIMITS.nameLength);
  const id = typeof u.id === 'string' ? u.id.slice(0, 64) : '';
  if (name === '' || id === '') return null;
  return {
    id,
    name,
    color: typeof u.color === 'string' && COLOR.test(u.color) ? u.color : '#555555',
    role: (ROLES as readonly unknown[]).includes(u.role) ? (u.role as Role) : null,
    isSelf,
  };
}

/** Everyone in `states`, yourself first, then by name; each user id once. */
export function peopleFrom(states: Map<number, unknown>, selfClientId: number): Person[] {
  // A local scratch map inside a pure function, not reactive state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const byId = new Map<string, Person>();
  const self = personFrom(states.get(selfClientId), true);
  if (self) byId.set(self.id, self);
  for (const [clientId, state] of states) {
    if (clientId === selfClientId) continue;
    const p = personFrom(state, false);
    if (p && !byId.has(p.id)) byId.set(p.id, p);
  }
  const [first, ...rest] = [...byId.values()];
  if (!first) return [];
  const others = first.isSelf ? rest : [first, ...rest];
  others.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return first.isSelf ? [first, ...others] : others;
}

/** Whether two lists name the same people the same way (cursor moves change neither). */
const samePeople = (a: readonly Person[], b: readonly Person[]): boolean =>
  a.length === b.length &&
  a.every((p, i) => {
    const q = b[i]!;
    return (
      p.id === q.id && p.name === q.name && p.color === q.color && p.role === q.role && p.isSelf === q.isSelf
    );
  });

/**
 * "Who is here" from one document's awareness. The awareness listener exists
 * only while something renders `current`, and wakes it only when the people
 * changed: awareness also carries everyone's cursor, 20 times a second each
 * while they pan or point (issue 18: no work per cursor move in the header).
 */
export class PeopleView {
  #subscribe: () => void;
  #people: Person[] = [];
  #watching = false;

  constructor(private readonly awareness: Awareness) {
    this.#subscribe = createSubscriber((update) => {
      this.#people = this.#read();
      this.#watching = true;
      // 'change' fires only when a state really changed, not on the 15 s renewals.
      const onChange = (): void => {
        const next = this.#read();
        if (samePeople(next, this.#people)) return;
        this.#people = next;
        update();
      };
      awareness.on('change', onChange);
      return () => {
        this.#watching = false;
        awareness.off('change', onChange);
      };
    });
  }

  #read(): Person[] {
    return peopleFrom(this.awareness.getStates(), this.awareness.clientID);
  }

  get current(): Person[] {
    this.#subscribe();
    // Outside any effect nothing keeps the list fresh: read it afresh.
    return this.#watching ? this.#people : this.#read();
  }
}
