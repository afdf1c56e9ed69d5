import { describe, expect, it } from 'vitest';
import {
  colorFor,
  forgetPerson,
  loadName,
  loadPerson,
  mintPerson,
  NAME_KEY,
  personKey,
  PRESENCE_PALETTE,
  removePerson,
  renamePerson,
  retryAfterMs,
  saveName,
  savePerson,
  type KeyValueStore,
  type PeopleApi,
} from '../../client/src/lib/sync/identity';
import {
  absoluteUrl,
  continueCodeOf,
  parseRoute,
  resolveToken,
  tokenKey,
} from '../../client/src/lib/routes/location';

const memoryStore = (): KeyValueStore & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
};

const brokenStore: KeyValueStore = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
};

const ada = { userId: 'u_Ada0000001', key: 'k'.repeat(43), name: 'Ada' };

/** A scripted `fetch` that records what was asked. */
function fakeFetch(answer: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; method: string; headers: Record<string, string>; body: unknown }[] = [];
  const fn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({
      url,
      method: init.method ?? 'GET',
      headers: (init.headers ?? {}) as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return answer(url, init);
  }) as typeof fetch;
  return { fn, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const api = (f: typeof fetch): PeopleApi => ({
  baseUrl: 'http://server.test',
  boardId: 'board-0001',
  token: 'tok-participant',
  fetch: f,
});

describe('identity kept in the browser, per board', () => {
  it('keeps an issued identity per board and forgets it on request', () => {
    const store = memoryStore();
    expect(loadPerson('board-0001', store)).toBeNull();
    savePerson('board-0001', ada, store);
    expect(store.data.has(personKey('board-0001'))).toBe(true);
    expect(loadPerson('board-0001', store)).toEqual(ada);
    // Another board's identity is not reused.
    expect(loadPerson('board-0002', store)).toBeNull();
    forgetPerson('board-0001', store);
    expect(loadPerson('board-0001', store)).toBeNull();
  });

  it('ignores a tampered stored identity instead of sending it to the server', () => {
    const store = memoryStore();
    for (const bad of [
      'not json',
      JSON.stringify({ userId: '__proto__', key: ada.key, name: 'x' }),
      JSON.stringify({ userId: ada.userId, key: 'short', name: 'x' }),
      JSON.stringify({ userId: ada.userId }),
      JSON.stringify(null),
    ]) {
      store.data.set(personKey('board-0001'), bad);
      expect(loadPerson('board-0001', store)).toBeNull();
    }
    store.data.set(personKey('board-0001'), JSON.stringify({ ...ada, name: ' Ada\u0000 ' }));
    expect(loadPerson('board-0001', store)?.name).toBe('Ada');
  });

  it('still works when storage throws (privacy modes)', () => {
    expect(loadPerson('board-0001', brokenStore)).toBeNull();
    expect(() => savePerson('board-0001', ada, brokenStore)).not.toThrow();
    expect(() => forgetPerson('board-0001', brokenStore)).not.toThrow();
    expect(loadName(brokenStore)).toBeNull();
    expect(saveName('Ada', brokenStore)).toBe('Ada');
  });

  it('cleans and bounds the display name and refuses an empty one', () => {
    const store = memoryStore();
    expect(loadName(store)).toBeNull();
    expect(saveName('  Grace\u0000 Hopper  ', store)).toBe('Grace Hopper');
    expect(loadName(store)).toBe('Grace Hopper');
    expect(saveName('x'.repeat(500), store)).toHaveLength(60);
    expect(() => saveName('   ', store)).toThrow(/empty/);
    store.data.set(NAME_KEY, '   ');
    expect(loadName(store)).toBeNull();
  });

  it('derives the same palette colour from the same id on every client', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `user-${i}-abcdef`);
    for (const id of ids) {
      expect(colorFor(id)).toBe(colorFor(id));
      expect(PRESENCE_PALETTE).toContain(colorFor(id));
    }
    // Spread over the palette, not one colour for everybody.
    expect(new Set(ids.map(colorFor)).size).toBe(PRESENCE_PALETTE.length);
  });
});

describe('the people API from the client', () => {
  it('asks for an identity with the link token and the chosen name', async () => {
    const f = fakeFetch(() => json(201, { userId: ada.userId, key: ada.key, name: 'Ada' }));
    const r = await mintPerson(api(f.fn), 'Ada');
    expect(r).toEqual({ kind: 'ok', person: ada });
    expect(f.calls).toEqual([
      {
        url: 'http://server.test/api/boards/board-0001/people',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer tok-participant' },
        body: { name: 'Ada' },
      },
    ]);
  });

  it('tells a rate limit (with its wait), a refused link, a missing API and a failure apart', async () => {
    const wait = await mintPerson(
      api(
        fakeFetch(() => json(429, { error: { code: 'rate', message: 'slow down' } }, { 'retry-after': '12' }))
          .fn,
      ),
      'Ada',
    );
    expect(wait).toEqual({ kind: 'wait', retryAfterMs: 12_000 });
    const refused = await mintPerson(
      api(fakeFetch(() => json(401, { error: { code: 'unauthorized', message: 'wrong token' } })).fn),
      'Ada',
    );
    expect(refused).toEqual({ kind: 'refused', status: 401, message: 'wrong token' });
    expect(await mintPerson(api(fakeFetch(() => json(404, {})).fn), 'Ada')).toEqual({
      kind: 'unsupported',
      status: 404,
    });
    expect((await mintPerson(api(fakeFetch(() => json(500, {})).fn), 'Ada')).kind).toBe('error');
    const offline = fakeFetch(() => {
      throw new TypeError('fetch failed');
    });
    expect(await mintPerson(api(offline.fn), 'Ada')).toEqual({ kind: 'error', message: 'fetch failed' });
    // A malformed identity is not kept.
    expect((await mintPerson(api(fakeFetch(() => json(201, { userId: '__proto__' })).fn), 'Ada')).kind).toBe(
      'error',
    );
  });

  it('reads Retry-After in seconds or as a date, within bounds', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(null)).toBe(5000);
    expect(retryAfterMs('soon')).toBe(5000);
    expect(retryAfterMs('0')).toBe(1000);
    expect(retryAfterMs('999999')).toBe(600_000);
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(retryAfterMs('Sun, 29 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
  });

  it('renames with the key and removes with the organizer token', async () => {
    const f = fakeFetch((url, init) =>
      init.method === 'PATCH'
        ? json(200, { userId: ada.userId, name: 'Ada L.' })
        : new Response(null, { status: 204 }),
    );
    expect(await renamePerson(api(f.fn), ada, 'Ada L.')).toEqual({ ok: true, name: 'Ada L.' });
    expect(f.calls[0]).toMatchObject({
      url: `http://server.test/api/boards/board-0001/people/${ada.userId}`,
      method: 'PATCH',
      body: { key: ada.key, name: 'Ada L.' },
    });
    expect(await removePerson(api(f.fn), 'u_Grace00001')).toEqual({ ok: true });
    expect(f.calls[1]).toMatchObject({
      url: 'http://server.test/api/boards/board-0001/people/u_Grace00001',
      method: 'DELETE',
      headers: { authorization: 'Bearer tok-participant' },
    });
    const forbidden = fakeFetch(() =>
      json(403, { error: { code: 'forbidden', message: 'organizers only' } }),
    );
    expect(await removePerson(api(forbidden.fn), 'u_Grace00001')).toEqual({
      ok: false,
      status: 403,
      message: 'organizers only',
    });
  });
});

describe('routes and tokens', () => {
  it('maps paths to pages', () => {
    expect(parseRoute('/')).toEqual({ name: 'landing' });
    expect(parseRoute('/b/AbCdEf0123456789')).toEqual({ name: 'board', boardId: 'AbCdEf0123456789' });
    expect(parseRoute('/b/AbCdEf0123456789/')).toEqual({ name: 'board', boardId: 'AbCdEf0123456789' });
    expect(parseRoute('/b/short')).toEqual({ name: 'not-found' });
    expect(parseRoute('/b/%3Cscript%3E12345')).toEqual({ name: 'not-found' });
    expect(parseRoute('/elsewhere')).toEqual({ name: 'not-found' });
    expect(parseRoute('/join')).toEqual({ name: 'join' });
    expect(parseRoute('/join/')).toEqual({ name: 'join' });
  });

  it('HO1: a link to continue carries the code after the token; the token is still the token', () => {
    const store = memoryStore();
    const hash = '#tok_ABCDEFGH123&continue=abcde-fghjk';
    expect(resolveToken('board-0004', hash, store)).toBe('tok_ABCDEFGH123');
    expect(continueCodeOf(hash)).toBe('ABCDEFGHJK');
    expect(continueCodeOf('#tok_ABCDEFGH123')).toBeNull();
    expect(continueCodeOf('#tok_ABCDEFGH123&continue=<script>')).toBeNull();
    expect(continueCodeOf('#tok_ABCDEFGH123&other=1&continue=ABCDEFGHJK')).toBe('ABCDEFGHJK');
  });

  it('takes the token from the fragment and keeps it for reloads of the tab', () => {
    const store = memoryStore();
    expect(resolveToken('board-0001', '#tok_ABCDEFGH123', store)).toBe('tok_ABCDEFGH123');
    expect(store.data.get(tokenKey('board-0001'))).toBe('tok_ABCDEFGH123');
    expect(resolveToken('board-0001', '', store)).toBe('tok_ABCDEFGH123');
    // Another board's token is not reused.
    expect(resolveToken('board-0002', '', store)).toBeNull();
    // Junk in the fragment is not a token.
    expect(resolveToken('board-0003', '#<img src=x>', store)).toBeNull();
    expect(resolveToken('board-0001', '#x', brokenStore)).toBeNull();
  });

  it('turns the server links into full URLs on http(s) only', () => {
    expect(absoluteUrl('/b/abc#tok', 'http://localhost:3000')).toBe('http://localhost:3000/b/abc#tok');
    expect(absoluteUrl('https://plenary.example/b/abc#tok', 'http://localhost:3000')).toBe(
      'https://plenary.example/b/abc#tok',
    );
    expect(() => absoluteUrl('javascript:alert(1)', 'http://localhost:3000')).toThrow();
  });
});
