import { describe, expect, it } from 'vitest';
import { initial } from '../components/initials';
import { BOOK_KEY, keepBoard, listBoards, MAX_BOARDS, shareableRoles, forgetBoard } from './boards-book';

/** A Storage stand-in: the book only uses getItem and setItem. */
function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const ID = 'AbCdEf0123456789';
const TOKEN = 'tok_0123456789abcdef';

describe('UX3: Your boards and the links a role may hand out', () => {
  it('UX3: a role hands out links up to its own, never more', () => {
    expect(shareableRoles('organizer')).toEqual(['organizer', 'participant', 'viewer']);
    expect(shareableRoles('participant')).toEqual(['participant', 'viewer']);
    expect(shareableRoles('viewer')).toEqual(['viewer']);
  });

  it('UX3: boards are kept newest first, tokens merge per role, and malformed entries are dropped', () => {
    const store = memory();
    keepBoard({ id: ID, title: 'Retreat', tokens: { organizer: TOKEN } }, 1, store);
    keepBoard({ id: 'Other0123456789x', title: 'Other', tokens: { viewer: TOKEN } }, 2, store);
    keepBoard({ id: ID, tokens: { participant: `${TOKEN}p` } }, 3, store);
    const list = listBoards(store);
    expect(list.map((b) => b.title)).toEqual(['Retreat', 'Other']);
    expect(list[0]?.tokens).toEqual({ organizer: TOKEN, participant: `${TOKEN}p` });

    // Hand-edited or foreign data: bad ids, tokens with '#' or '/' and huge titles never come back.
    store.setItem(
      BOOK_KEY,
      JSON.stringify([
        { id: '../../x', title: 'bad', tokens: {} },
        { id: ID, title: 'x'.repeat(1000), tokens: { organizer: 'a#b/c', viewer: TOKEN }, seen: 'soon' },
        'nonsense',
      ]),
    );
    const cleaned = listBoards(store);
    expect(cleaned).toHaveLength(1);
    expect(cleaned[0]?.title).toHaveLength(200);
    expect(cleaned[0]?.tokens).toEqual({ viewer: TOKEN });
    store.setItem(BOOK_KEY, '{not json');
    expect(listBoards(store)).toEqual([]);

    for (let i = 0; i < MAX_BOARDS + 5; i++)
      keepBoard({ id: `Board${String(i).padStart(11, '0')}`, tokens: {} }, 10 + i, store);
    expect(listBoards(store)).toHaveLength(MAX_BOARDS);
    forgetBoard(`Board${String(MAX_BOARDS + 4).padStart(11, '0')}`, store);
    expect(listBoards(store)).toHaveLength(MAX_BOARDS - 1);
  });

  it('UX8: avatar initials are whole graphemes', () => {
    expect(initial('🦊 Fox')).toBe('🦊');
    expect(initial('  ada')).toBe('A');
    expect(initial('👩‍🔬 Marie')).toBe('👩‍🔬');
    expect(initial('ليلى')).toBe('ل');
    expect(initial('')).toBe('?');
  });
});
