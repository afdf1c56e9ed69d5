/**
 * Sharing from any device (issue 19), in process on a real server (SQLite in
 * memory): what the new routes cost. A full board (5,000 notes in 50 groups,
 * 2,000 tasks, 200 agenda items) is duplicated whole; the links, the join code
 * and a code to continue are asked for many times. Printed by `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServer } from '../server/app';
import { testConfig } from '../server/config';
import { addItem } from '../shared/ops/agenda';
import { addNote } from '../shared/ops/board';
import { createGroup } from '../shared/ops/groups';
import { createTask } from '../shared/ops/tasks';
import { BOARD_LIMITS } from '../shared/policy';
import { serverOrigin } from '../shared/schema';

export interface SharingBench {
  duplicateFullBoardMs: number;
  duplicateMaxEventLoopDelayMs: number;
  linksMedianMs: number;
  joinMedianMs: number;
  handoffAndClaimMedianMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 100) / 100;
};

async function timed(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function runSharingBench(say: (s?: string) => void): Promise<SharingBench> {
  const server = await startServer(
    testConfig({
      boardsPerAddress: 1e6,
      peoplePerAddress: 1e6,
      peoplePerLink: 1e6,
      codeAttemptsPerAddress: 1e6,
    }),
  );
  const url = `http://127.0.0.1:${server.port}`;
  const call = async (
    path: string,
    token: string | null,
    body?: unknown,
    method = 'POST',
  ): Promise<Response> => {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined && method === 'POST' ? 'GET' : method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  try {
    const board = (await (await call('/api/boards', null, { title: 'Full board' })).json()) as {
      id: string;
      tokens: Record<'organizer' | 'participant' | 'viewer', string>;
    };
    const origin = serverOrigin('bench');
    const items: string[] = [];
    await server.docs.change(board.id, 'agenda', 'bench', (d) => {
      for (let i = 0; i < BOARD_LIMITS.items; i++)
        items.push(addItem(d, { start: '09:00', minutes: 5, title: `Item ${i}`, kind: 'talk' }, origin));
    });
    const notes: string[] = [];
    await server.docs.change(board.id, 'board', 'bench', (d) => {
      for (let i = 0; i < BOARD_LIMITS.notes; i++)
        notes.push(
          addNote(
            d,
            {
              text: `note ${i} about something said in a talk`,
              x: (i % 100) * 210,
              y: Math.floor(i / 100) * 150,
              authorId: 'p1',
              authorName: 'Someone',
              itemId: items[i % items.length]!,
            },
            origin,
          ),
        );
      for (let g = 0; g < 50; g++)
        createGroup(
          d,
          { title: `Group ${g}`, x: g * 210, y: -200 },
          notes.slice(g * 100, g * 100 + 20),
          origin,
        );
    });
    await server.docs.change(board.id, 'tasks', 'bench', (d) => {
      for (let i = 0; i < BOARD_LIMITS.tasks; i++)
        createTask(d, { title: `Task ${i}`, noteId: notes[i], itemId: items[i % items.length] }, origin);
    });

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t = performance.now();
    await call(`/api/boards/${board.id}/duplicate`, board.tokens.organizer, { title: 'Copy' });
    const duplicateFullBoardMs = Math.round(performance.now() - t);
    delay.disable();
    const duplicateMaxEventLoopDelayMs = Math.round(delay.max / 1e6);

    const linksMedianMs = await timed(200, () =>
      call(`/api/boards/${board.id}/links`, board.tokens.organizer),
    );
    const code = (
      (await (
        await call(`/api/boards/${board.id}/join`, board.tokens.organizer, { shown: true }, 'PUT')
      ).json()) as {
        code: string;
      }
    ).code;
    const joinMedianMs = await timed(200, () => call('/api/join', null, { code }));
    const person = (await (
      await call(`/api/boards/${board.id}/people`, board.tokens.participant, { name: 'Ada' })
    ).json()) as {
      userId: string;
      key: string;
    };
    const handoffAndClaimMedianMs = await timed(9, async () => {
      const res = await fetch(`${url}/api/boards/${board.id}/people/${person.userId}/handoff`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${board.tokens.participant}`,
          'x-plenary-user': person.userId,
          'x-plenary-key': person.key,
        },
      });
      const h = (await res.json()) as { code: string };
      await call(`/api/boards/${board.id}/people/claim`, board.tokens.participant, { code: h.code });
    });
    const out = {
      duplicateFullBoardMs,
      duplicateMaxEventLoopDelayMs,
      linksMedianMs,
      joinMedianMs,
      handoffAndClaimMedianMs,
    };
    say(
      `  duplicate a full board (5,000 notes, 50 groups, 2,000 tasks, 200 items): ${duplicateFullBoardMs} ms`,
    );
    say(`    longest event-loop stall meanwhile: ${duplicateMaxEventLoopDelayMs} ms`);
    say(`  GET /links (3 tokens opened): median ${linksMedianMs} ms over 200`);
    say(`  POST /api/join (a join code): median ${joinMedianMs} ms over 200`);
    say(
      `  handoff + claim (a new device key): median ${handoffAndClaimMedianMs} ms over 9 (10 per person per 10 minutes)`,
    );
    return out;
  } finally {
    await server.close();
  }
}
