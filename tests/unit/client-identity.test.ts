import { describe, expect, it } from 'vitest';
import {
  colorFor,
  loadName,
  loadUserId,
  NAME_KEY,
  PRESENCE_PALETTE,
  saveName,
  USER_ID_KEY,
  type KeyValueStore,
} from '../../client/src/lib/sync/identity';
import { absoluteUrl, parseRoute, resolveToken, tokenKey } from '../../client/src/lib/routes/location';

const memoryStore = (): KeyValueStore & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
};

const brokenStore: KeyValueStore = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
};

describe('identity kept in the browser', () => {
  it('creates the user id once and returns the same one afterwards', () => {
    const store = memoryStore();
    const id = loadUserId(store);
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(store.data.get(USER_ID_KEY)).toBe(id);
    expect(loadUserId(store)).toBe(id);
  });

  it('replaces a tampered stored id instead of sending it to the server', () => {
    const store = memoryStore();
    store.data.set(USER_ID_KEY, '__proto__');
    const id = loadUserId(store);
    expect(id).not.toBe('__proto__');
    expect(store.data.get(USER_ID_KEY)).toBe(id);
  });

  it('still works when storage throws (privacy modes)', () => {
    expect(loadUserId(brokenStore)).toMatch(/^[0-9a-f]{24}$/);
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

describe('routes and tokens', () => {
  it('maps paths to pages', () => {
    expect(parseRoute('/')).toEqual({ name: 'landing' });
    expect(parseRoute('/b/AbCdEf0123456789')).toEqual({ name: 'board', boardId: 'AbCdEf0123456789' });
    expect(parseRoute('/b/AbCdEf0123456789/')).toEqual({ name: 'board', boardId: 'AbCdEf0123456789' });
    expect(parseRoute('/b/short')).toEqual({ name: 'not-found' });
    expect(parseRoute('/b/%3Cscript%3E12345')).toEqual({ name: 'not-found' });
    expect(parseRoute('/elsewhere')).toEqual({ name: 'not-found' });
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
