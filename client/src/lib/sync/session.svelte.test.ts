import { describe, expect, it } from 'vitest';
import { CLOSE, CLOSE_REASON } from '$shared/protocol';
import { describeFailure, LINK_REPLACED_REASON } from './session.svelte';

describe('describeFailure', () => {
  it('NB3: a link replaced while open says so and asks for the new link; a wrong link stays "not valid"', () => {
    expect(describeFailure({ code: CLOSE.unauthorized, reason: LINK_REPLACED_REASON })).toEqual({
      title: 'This link was replaced',
      body: expect.stringContaining('Ask the organizer for the new link') as string,
    });
    expect(
      describeFailure({ code: CLOSE.unauthorized, reason: CLOSE_REASON[CLOSE.unauthorized]! })?.title,
    ).toBe('This link is not valid');
    expect(describeFailure({ code: CLOSE.removed, reason: 'x' })?.title).toBe(
      'You were removed from this board',
    );
    expect(describeFailure({ code: CLOSE.notFound, reason: 'x' })?.title).toBe('This board does not exist');
    expect(describeFailure(null)).toBeNull();
  });
});
