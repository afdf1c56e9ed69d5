import { describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { PeopleView, peopleFrom, personFrom } from '../../client/src/lib/sync/people.svelte';

const user = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  user: { id, name, color: '#0072B2', role: 'participant', ...extra },
});

describe('who is here', () => {
  it('lists yourself first, then the others by name, each person once across tabs', () => {
    const states = new Map<number, unknown>([
      [1, user('u-zoe', 'Zoe')],
      [2, user('u-me', 'Me')],
      [3, user('u-ada', 'Ada')],
      [4, user('u-zoe', 'Zoe')], // Zoe's second tab
    ]);
    const people = peopleFrom(states, 2);
    expect(people.map((p) => [p.name, p.isSelf])).toEqual([
      ['Me', true],
      ['Ada', false],
      ['Zoe', false],
    ]);
  });

  it('skips malformed presence from peers and cleans what it shows', () => {
    expect(personFrom(null, false)).toBeNull();
    expect(personFrom({ user: { id: 'x', name: '   ' } }, false)).toBeNull();
    expect(personFrom({ user: { name: 'No id' } }, false)).toBeNull();
    const p = personFrom(user('u1', 'Eve\u0007', { color: 'red;background:url(x)', role: 'admin' }), false);
    expect(p).toEqual({ id: 'u1', name: 'Eve', color: '#555555', role: null, isSelf: false });
    expect(personFrom(user('u2', 'x'.repeat(500)), false)?.name).toHaveLength(60);
  });

  it('reads the current awareness of a real document, including remote peers', () => {
    const mine = new Awareness(new Y.Doc());
    const theirs = new Awareness(new Y.Doc());
    mine.setLocalState(user('u-me', 'Me'));
    theirs.setLocalState(user('u-ada', 'Ada'));
    applyAwarenessUpdate(mine, encodeAwarenessUpdate(theirs, [theirs.clientID]), 'test');
    const view = new PeopleView(mine);
    expect(view.current.map((p) => p.name)).toEqual(['Me', 'Ada']);
    theirs.setLocalState(null);
    applyAwarenessUpdate(mine, encodeAwarenessUpdate(theirs, [theirs.clientID]), 'test');
    expect(view.current.map((p) => p.name)).toEqual(['Me']);
    mine.destroy();
    theirs.destroy();
  });
});
