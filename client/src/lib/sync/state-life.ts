import { onDestroy } from 'svelte';
import type { BoardSessionApi } from './types';

/**
 * The one way client state is created and disposed (docs/architecture.md "Client state"):
 *
 * - A state class takes the session in its constructor and reads the documents
 *   through `YView`/`YDocView` (reactive.svelte.ts), whose observers live only
 *   while something renders them: such a state needs no disposal.
 * - A state several components share is kept once per session and document
 *   generation: `sharedState(session, TasksState)`.
 * - A state holding observers, listeners or an UndoManager of its own has a
 *   `destroy()`, and the component showing it creates it with
 *   `ownedState(() => new BoardState(session))`, which destroys it with the component.
 *
 * Whatever is built on the documents is built again when `session.generation`
 * changes (a document replaced after a refusal, a new user id): the page wraps
 * it in `{#key session.generation}`, and `sharedState` makes a new one.
 */

type Kept = { generation: number; state: unknown };
const kept = new WeakMap<BoardSessionApi, Map<unknown, Kept>>();

export function sharedState<T>(session: BoardSessionApi, make: new (session: BoardSessionApi) => T): T {
  let byClass = kept.get(session);
  if (!byClass) kept.set(session, (byClass = new Map()));
  const k = byClass.get(make);
  if (k && k.generation === session.generation) return k.state as T;
  const state = new make(session);
  byClass.set(make, { generation: session.generation, state });
  return state;
}

/** Creates a state owned by the calling component (call during its initialisation). */
export function ownedState<T extends { destroy(): void }>(make: () => T): T {
  const state = make();
  onDestroy(() => state.destroy());
  return state;
}
