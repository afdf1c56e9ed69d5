import { describe, expect, it } from 'vitest';
import { addNote, castVote, deleteNote, storedVotesOf, votesMap, addVote } from '../../shared/ops/board';
import { openVoting } from '../../shared/ops/live';
import { CLOSE } from '../../shared/protocol';
import {
  CODE_ALPHABET,
  HANDOFF_CODE_LENGTH,
  HANDOFF_TTL_MS,
  type Handoff,
  type JoinTarget,
} from '../../shared/protocol/sharing';
import { boardNotes, localOrigin, readLive, readNotes, serverOrigin } from '../../shared/schema';
import { SecretBox } from '../../server/boards/cipher';
import { TEST_SECRET } from '../../server/config';
import { hashPersonKey } from '../../server/identity/identities';
import { mintPerson, SioClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { call, callJson, tokenIn } from '../helpers/sharing';

/**
 * Continuing on another device as the same person (issue 19): a single-use
 * code asked with the person's identity, claimed with any link of the board;
 * the new device's key proves the same user id, so votes, authorship and
 * upvotes follow, and removing the person revokes every device's key.
 */

const handoff = (
  server: TestServer,
  b: CreatedBoard,
  who: Identity,
  token = b.tokens.participant,
  userId = who.userId,
) =>
  callJson<Handoff & { error?: { code: string } }>(
    server.url,
    `/api/boards/${b.id}/people/${userId}/handoff`,
    {
      method: 'POST',
      token,
      person: who,
    },
  );
const claim = (server: TestServer, b: CreatedBoard, code: unknown, token = b.tokens.participant) =>
  callJson<{ userId: string; key: string; name: string; error?: { code: string } }>(
    server.url,
    `/api/boards/${b.id}/people/claim`,
    { token, body: { code } },
  );

const CODE = new RegExp(`^[${CODE_ALPHABET}]{${HANDOFF_CODE_LENGTH}}$`);
const origin = serverOrigin('test');

describe('HO1: a single-use code to continue on another device', () => {
  it('201 { code, url, expiresAt } for the person themself; the other device claims it once with any link', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Phone to laptop');
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const asked = Date.now();
    const h = await handoff(server, b, ada);
    expect(h.status).toBe(201);
    expect(h.headers.get('cache-control')).toBe('no-store');
    expect(h.body.code).toMatch(CODE);
    // The link the phone uses, with the code after it, in the fragment (never sent to a server).
    expect(h.body.url).toBe(`${b.urls.participant}&continue=${h.body.code}`);
    expect(tokenIn(h.body.url)).toBe(b.tokens.participant);
    expect(h.body.expiresAt).toBeGreaterThanOrEqual(asked + HANDOFF_TTL_MS - 1000);
    expect(h.body.expiresAt).toBeLessThanOrEqual(Date.now() + HANDOFF_TTL_MS);

    // Claimed with the viewer link here: any link of the board will do, the role is the link's.
    const got = await claim(server, b, h.body.code.toLowerCase(), b.tokens.viewer);
    expect(got.status).toBe(200);
    expect(got.body.userId).toBe(ada.userId);
    expect(got.body.name).toBe('Ada');
    expect(got.body.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(got.body.key).not.toBe(ada.key);
    // Only the key's hash is stored.
    expect(await server.store.hasDeviceKey(b.id, ada.userId, hashPersonKey(got.body.key))).toBe(true);

    const again = await claim(server, b, h.body.code);
    expect(again.status).toBe(410);
    expect(again.body.error?.code).toBe('used');
  });

  it('refuses: someone else asking (403), a wrong key (401), a removed person (410), another board (404), an expired code (410)', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Refusals');
    const other = await server.createBoard('Other');
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const bea = await mintPerson(server.url, b.id, b.tokens.participant, 'Bea');
    expect((await handoff(server, b, bea, b.tokens.participant, ada.userId)).status).toBe(403);
    expect((await handoff(server, b, { userId: ada.userId, key: bea.key })).status).toBe(401);
    expect(
      (
        await call(server.url, `/api/boards/${b.id}/people/${ada.userId}/handoff`, {
          method: 'POST',
          token: b.tokens.participant,
        })
      ).status,
    ).toBe(403);
    expect((await handoff(server, b, ada, 'A'.repeat(43))).status).toBe(401);

    const { code } = (await handoff(server, b, ada)).body;
    expect((await claim(server, other, code, other.tokens.participant)).status).toBe(404);
    expect((await claim(server, b, code, 'A'.repeat(43))).status).toBe(401);
    expect((await claim(server, b, 'not a code')).body.error?.code).toBe('unknown-code');

    // Expired: a code stored ten minutes and one second ago (its hash under the test servers' key).
    const box = new SecretBox(TEST_SECRET);
    const old = 'ABCDE12345';
    const at = Date.now() - HANDOFF_TTL_MS - 1000;
    await server.store.createHandoff({
      codeHash: box.lookupHash('handoff', old),
      boardId: b.id,
      userId: ada.userId,
      sealedToken: box.seal(b.tokens.participant, `${b.id}\nhandoff\n${box.lookupHash('handoff', old)}`),
      createdAt: at,
      expiresAt: at + HANDOFF_TTL_MS,
      usedAt: null,
    });
    const expired = await claim(server, b, old);
    expect(expired.status).toBe(410);
    expect(expired.body.error?.code).toBe('expired');

    // Removed: the outstanding code is refused, and so is asking for a new one.
    expect(
      (
        await call(server.url, `/api/boards/${b.id}/people/${ada.userId}`, {
          method: 'DELETE',
          token: b.tokens.organizer,
        })
      ).status,
    ).toBe(204);
    const removed = await claim(server, b, code);
    expect(removed.status).toBe(410);
    expect(removed.body.error?.code).toBe('removed');
    expect((await handoff(server, b, ada)).status).toBe(410);
  });

  it('is rate-limited: codes per person, and wrong codes per address (shared with /api/join)', async () => {
    const server = await startTestServer({ codeAttemptsPerAddress: 3 });
    const b = await server.createBoard('Limits');
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    for (let i = 0; i < 10; i++) expect((await handoff(server, b, ada)).status).toBe(201);
    const over = await handoff(server, b, ada);
    expect(over.status).toBe(429);
    expect(over.body.error?.code).toBe('too-many-codes');
    // Another person is not affected.
    const bea = await mintPerson(server.url, b.id, b.tokens.participant, 'Bea');
    const { code } = (await handoff(server, b, bea)).body;

    for (let i = 0; i < 2; i++) expect((await claim(server, b, '0000000000')).status).toBe(404);
    expect((await callJson(server.url, '/api/join', { body: { code: '00000000' } })).status).toBe(404);
    const limited = await claim(server, b, code);
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('too-many-attempts');
  });
});

describe('HO2: the same person on the new device', () => {
  it('votes within the same budget, owns the notes written on the first device, keeps the upvotes; removal revokes every device', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Same person');
    await server.docs.change(b.id, 'agenda', 'vote', (d) => openVoting(d, 2, origin));
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const bea = await mintPerson(server.url, b.id, b.tokens.participant, 'Bea');
    const { code } = (await handoff(server, b, ada)).body;
    const got = (await claim(server, b, code)).body;
    const laptop: Identity = { userId: got.userId, key: got.key };

    const auth = { board: b.id, token: b.tokens.participant };
    const phone = new SioClient(server.url, { ...auth, name: 'Ada' }, { identity: ada });
    const onLaptop = new SioClient(server.url, { ...auth, name: 'Ada' }, { identity: laptop });
    const stranger = new SioClient(server.url, { ...auth, name: 'Bea' }, { identity: bea });
    await eventually(() => expect(phone.synced.size + onLaptop.synced.size + stranger.synced.size).toBe(9));
    expect(onLaptop.session).toMatchObject({ userId: ada.userId, issued: true });
    expect(onLaptop.session?.pseudonym).toBe(phone.session?.pseudonym);

    // Two notes written on the phone; a vote from the phone on the second.
    const me = localOrigin(ada.userId);
    const write = (text: string) =>
      addNote(
        phone.docs.board,
        { text, x: 0, y: 0, authorId: ada.userId, authorName: 'Ada', itemId: null },
        me,
      );
    const mine = write('Mine to delete');
    const voted = write('Mine to vote on');
    await eventually(() => expect(readNotes(onLaptop.docs.board)).toHaveLength(2));

    // Authorship follows: the laptop deletes the phone's note (a stranger may not).
    expect(() =>
      deleteNote(
        stranger.docs.board,
        mine,
        { role: 'participant', userId: bea.userId, pseudonym: '' },
        localOrigin(bea.userId),
      ),
    ).toThrow();
    deleteNote(onLaptop.docs.board, mine, { role: 'participant', userId: ada.userId, pseudonym: '' }, me);
    await eventually(async () =>
      expect(await server.docs.read(b.id, 'board', (d) => readNotes(d).map((n) => n.text))).toEqual([
        'Mine to vote on',
      ]),
    );
    expect(onLaptop.denials).toEqual([]);

    // One budget: the phone votes once, the laptop spends the second vote; a third is refused by the server.
    castVote(phone.docs.board, voted, ada.userId, readLive(phone.docs.agenda), me);
    await eventually(() => expect(storedVotesOf(onLaptop.docs.board, ada.userId)).toBe(1));
    castVote(onLaptop.docs.board, voted, ada.userId, readLive(onLaptop.docs.agenda), me);
    await eventually(() => expect(onLaptop.acks.filter((a) => a.ok)).toHaveLength(2));
    // (Written around the client's own check, as a modified client would.)
    onLaptop.docs.board.transact(
      () => addVote(votesMap(boardNotes(onLaptop.docs.board).get(voted)!), ada.userId),
      me,
    );
    await eventually(() => expect(onLaptop.denials.map((d) => d.code)).toEqual(['no-votes-left']));
    const stored = await server.docs.read(b.id, 'board', (d) => readNotes(d));
    expect(stored[0]?.votes).toEqual({ [ada.userId]: 2 });

    // Upvotes follow: the question Ada upvoted on her phone is upvoted on the laptop, once.
    const asked = await callJson<{ id: string }>(server.url, `/api/boards/${b.id}/questions`, {
      token: b.tokens.participant,
      person: bea,
      body: { text: 'Where are the slides?' },
    });
    const upvote = (who: Identity) =>
      callJson<{ upvotes: number; upvoted: boolean }>(
        server.url,
        `/api/boards/${b.id}/questions/${asked.body.id}/upvote`,
        { method: 'PUT', token: b.tokens.participant, person: who },
      );
    expect((await upvote(ada)).body.upvotes).toBe(1);
    expect((await upvote(laptop)).body).toMatchObject({ upvotes: 1, upvoted: true });

    // Removing Ada closes both devices and refuses both keys.
    expect(
      (
        await call(server.url, `/api/boards/${b.id}/people/${ada.userId}`, {
          method: 'DELETE',
          token: b.tokens.organizer,
        })
      ).status,
    ).toBe(204);
    await eventually(() => {
      expect(phone.closing?.code).toBe(CLOSE.removed);
      expect(onLaptop.closing?.code).toBe(CLOSE.removed);
    });
    expect(stranger.socket.connected).toBe(true);
    for (const who of [ada, laptop]) {
      const rename = await call(server.url, `/api/boards/${b.id}/people/${ada.userId}`, {
        method: 'PATCH',
        token: b.tokens.participant,
        body: { key: who.key, name: 'Still here' },
      });
      expect(rename.status).toBe(410);
      const rejoin = new SioClient(server.url, auth, { identity: who });
      await eventually(() => expect(rejoin.connectError?.data?.code).toBe(CLOSE.removed));
    }
  });
});

describe('HO3: a code to continue, typed at /join', () => {
  it('leads to the link it was asked with and the code, without using it up; a used one is 410', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Typed on the laptop');
    const ada = await mintPerson(server.url, b.id, b.tokens.organizer, 'Ada');
    const h = (await handoff(server, b, ada, b.tokens.organizer)).body;
    const typed = `${h.code.slice(0, 5).toLowerCase()}-${h.code.slice(5)}`;
    const found = await callJson<JoinTarget>(server.url, '/api/join', { body: { code: typed } });
    expect(found.body).toEqual({ boardId: b.id, kind: 'continue', url: h.url });
    expect((await claim(server, b, h.code, b.tokens.organizer)).status).toBe(200);
    const used = await callJson<{ error: { code: string } }>(server.url, '/api/join', {
      body: { code: h.code },
    });
    expect(used.status).toBe(410);
    expect(used.body.error.code).toBe('used');
  });
});
