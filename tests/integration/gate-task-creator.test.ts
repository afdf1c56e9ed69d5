import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createTask } from '../../shared/ops/tasks';
import { localOrigin, taskMap } from '../../shared/schema';
import { SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const creatorOf = (doc: Y.Doc, id: string): unknown => taskMap(doc).get(id)?.get('createdBy');

describe('G2: a task’s creator is the sender', () => {
  it('a task made under one’s own id is accepted; under another id, or a later change of its creator, is refused', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const ada = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Ada' });
    const eve = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Eve' });
    await eventually(() => expect(ada.synced.size + eve.synced.size).toBe(6));
    const adaId = ada.session!.userId;

    const own = createTask(
      ada.docs.tasks,
      { title: 'Write the report', createdBy: adaId },
      localOrigin(adaId),
    );
    await eventually(() => expect(creatorOf(eve.docs.tasks, own)).toBe(adaId));

    // Eve claims a task of hers was made by Ada.
    createTask(eve.docs.tasks, { title: 'Forged', createdBy: adaId }, localOrigin(adaId));
    await eventually(() => expect(eve.denials.map((d) => d.code)).toEqual(['forbidden']));

    // Eve rewrites the creator of Ada's task.
    const stale = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Eve' });
    await eventually(() => expect(creatorOf(stale.docs.tasks, own)).toBe(adaId));
    taskMap(stale.docs.tasks).get(own)!.set('createdBy', stale.session!.userId);
    await eventually(() => expect(stale.denials.map((d) => d.code)).toEqual(['forbidden']));

    const onServer = await server.docs.read(b.id, 'tasks', (d) => ({
      titles: [...taskMap(d).keys()].length,
      creator: creatorOf(d, own),
    }));
    expect(onServer).toEqual({ titles: 1, creator: adaId });
  });
});
