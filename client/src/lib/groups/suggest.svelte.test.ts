import { describe, expect, it } from 'vitest';
import { GroupSuggestion } from './suggest.svelte';

function fakeFetch(answer: () => Response) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return answer();
  }) as typeof fetch;
  return { calls, fetcher };
}

describe('suggested groups on the client (issue 11)', () => {
  it('GU3: asks the server with the organizer token (of one talk), and edits change only the local plan', async () => {
    const { calls, fetcher } = fakeFetch(() =>
      Response.json({
        groups: [
          { title: 'privacy data', noteIds: ['a', 'b', 'c'] },
          { title: 'coffee break', noteIds: ['d', 'e'] },
          { title: 'food', noteIds: ['f', 'g'] },
        ],
      }),
    );
    const s = new GroupSuggestion({ boardId: 'b1', token: 'org-token' }, fetcher);
    await s.fetch('item-2');
    expect(calls[0]?.url).toBe('/api/boards/b1/groups/suggest');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(new Headers(calls[0]?.init?.headers).get('authorization')).toBe('Bearer org-token');
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ itemId: 'item-2' });
    expect(s.active).toBe(true);

    s.rename(0, 'Privacy');
    s.leaveOut(0, 'c');
    // A group left with one note is no group.
    s.leaveOut(1, 'e');
    s.discard(2);
    expect(s.plan).toEqual([{ title: 'Privacy', noteIds: ['a', 'b'] }]);
    s.cancel();
    expect(s.active).toBe(false);
    expect(s.plan).toEqual([]);
  });

  it('GU3: the review list accepts or rejects each suggested group; only accepted ones are applied (issue 20 item 10)', async () => {
    const { fetcher } = fakeFetch(() =>
      Response.json({
        groups: [
          { title: 'privacy', noteIds: ['a', 'b'] },
          { title: 'coffee', noteIds: ['c', 'd'] },
        ],
      }),
    );
    const s = new GroupSuggestion({ boardId: 'b1', token: 't' }, fetcher);
    await s.fetch();
    expect(s.acceptedCount).toBe(2);
    s.setAccepted(1, false);
    expect(s.acceptedCount).toBe(1);
    expect(s.plan).toEqual([{ title: 'privacy', noteIds: ['a', 'b'] }]);
    s.setAccepted(1, true);
    expect(s.plan.map((g) => g.title)).toEqual(['privacy', 'coffee']);
  });

  it('GU3: a refusal or an empty answer is said, and nothing is shown', async () => {
    const refused = new GroupSuggestion(
      { boardId: 'b1', token: 't' },
      fakeFetch(() => new Response('{}', { status: 403 })).fetcher,
    );
    await refused.fetch();
    expect(refused.active).toBe(false);
    expect(refused.error).toContain('403');

    const empty = new GroupSuggestion(
      { boardId: 'b1', token: 't' },
      fakeFetch(() => Response.json({ groups: [] })).fetcher,
    );
    await empty.fetch();
    expect(empty.groups).toEqual([]);
    expect(empty.error).toContain('No groups');
  });
});
