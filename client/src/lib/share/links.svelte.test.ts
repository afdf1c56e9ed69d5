import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { signalLinks } from '$shared/ops/roster';
import { serverOrigin } from '$shared/schema';
import { BOOK_KEY, keepBoard, listBoards } from './boards-book';
import { SharedLinks } from './links.svelte';

const ID = 'AbCdEf0123456789';
const T = {
  organizer: 'org_0123456789abcdef',
  participant: 'par_0123456789abcdef',
  viewer: 'vie_0123456789abcdef',
};

/** A server stand-in: answers the links and join routes, records every call. */
function fakeServer(links: Partial<Record<keyof typeof T, string | null>>) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const state = { links: { ...links } };
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input).replace(`/api/boards/${ID}`, '');
    const method = init?.method ?? 'GET';
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : undefined;
    calls.push({ method, path, body });
    const json = (status: number, value: unknown) =>
      new Response(value === null ? null : JSON.stringify(value), { status });
    if (path === '/links' && method === 'GET') {
      const out: Record<string, unknown> = {};
      for (const [role, token] of Object.entries(state.links))
        out[role] = token ? { token, url: `http://x/b/${ID}#${token}` } : null;
      return json(200, out);
    }
    const teach = /^\/links\/(\w+)$/.exec(path);
    if (teach && method === 'PUT') {
      const role = teach[1] as keyof typeof T;
      if (body?.token !== T[role]) return json(409, { error: { code: 'not-current' } });
      state.links[role] = T[role];
      return json(204, null);
    }
    if (path === '/join' && method === 'PUT')
      return json(409, { error: { code: 'participant-link-unknown' } });
    if (path === '/join') return json(200, { shown: false, code: null, url: null });
    return json(404, {});
  }) as typeof fetch;
  return { f, calls, state };
}

afterEach(() => localStorage.removeItem(BOOK_KEY));

describe('LK1, LK3, LK4: the links an organizer device shows', () => {
  it('LK1: a device that holds only the organizer link shows the server’s three links and keeps them in Your boards', async () => {
    const { f } = fakeServer(T);
    const links = new SharedLinks({
      boardId: ID,
      token: T.organizer,
      role: 'organizer',
      board: new Y.Doc(),
      fetch: f,
    });
    expect(links.tokens).toEqual({ organizer: T.organizer });
    await links.load();
    expect(links.tokens).toEqual(T);
    expect(links.unknown).toEqual([]);
    expect(links.loaded).toBe(true);
    expect(listBoards().find((b) => b.id === ID)?.tokens).toEqual(T);
  });

  it('LK4: an older board learns the links this browser holds, and says which it cannot show', async () => {
    keepBoard({ id: ID, tokens: { organizer: T.organizer, participant: T.participant } });
    const { f, calls } = fakeServer({ organizer: T.organizer, participant: null, viewer: null });
    const links = new SharedLinks({
      boardId: ID,
      token: T.organizer,
      role: 'organizer',
      board: new Y.Doc(),
      fetch: f,
    });
    await links.load();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => [c.path, c.body])).toEqual([
      ['/links/participant', { token: T.participant }],
    ]);
    expect(links.tokens).toEqual({ organizer: T.organizer, participant: T.participant });
    expect(links.unknown).toEqual(['viewer']);
    // Switching "Show how to join" on without a known participant link: the server's 409, explained.
    await links.showJoin(true);
    expect(links.problem).toContain('replace it once');
  });

  it('LK3: a change of the board’s link signal asks again, and a link replaced elsewhere is said so', async () => {
    const { f, calls, state } = fakeServer(T);
    const doc = new Y.Doc();
    const links = new SharedLinks({
      boardId: ID,
      token: T.organizer,
      role: 'organizer',
      board: doc,
      fetch: f,
    });
    const stop = $effect.root(() => {
      $effect(() => {
        void links.signal.at;
        void links.load();
      });
    });
    try {
      flushSync();
      await expect.poll(() => links.loaded).toBe(true);
      const asked = calls.filter((c) => c.path === '/links').length;
      expect(asked).toBe(1);
      // Another device replaces the participant link: the server writes the signal.
      state.links.participant = 'par_new_0123456789ab';
      signalLinks(doc, { at: 1_000, joinShown: false }, serverOrigin('links'));
      flushSync();
      await expect.poll(() => links.tokens.participant).toBe('par_new_0123456789ab');
      expect(calls.filter((c) => c.path === '/links').length).toBe(asked + 1);
      expect(links.changedElsewhere).toBe('participant');
    } finally {
      stop();
    }
  });
});
