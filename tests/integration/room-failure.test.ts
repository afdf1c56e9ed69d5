import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../shared/protocol';
import { NoRelay, type Relay } from '../../server/relay/relay';
import { SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { taskText, typeTask } from '../helpers/probes';
import { startTestServer } from '../helpers/server';

describe('G6: an error inside one room closes that room only', () => {
  it('a room that fails while sending closes its connections with 4500; other boards notice nothing, and a reconnect loads what was stored', async () => {
    // A relay that throws for one board: an unexpected fault in the middle of a flush.
    let failing: string | null = null;
    const relay: Relay = new (class extends NoRelay {
      override publish(name: string): void {
        if (failing && name.startsWith(failing)) throw new Error('relay on fire');
      }
    })();
    const server = await startTestServer({}, { relay });
    const hit = await server.createBoard('Hit');
    const calm = await server.createBoard('Calm');
    const a = new SioClient(server.url, { board: hit.id, token: hit.tokens.participant });
    const other = new SioClient(server.url, { board: calm.id, token: calm.tokens.participant });
    await eventually(() => expect(a.synced.size + other.synced.size).toBe(6));
    typeTask(a.docs.tasks, 'stored first');
    await eventually(() => expect(a.acks).toEqual([{ ok: true }]));

    failing = hit.id;
    typeTask(a.docs.tasks, 'never ');
    await eventually(() => expect(a.closing?.code).toBe(CLOSE.roomFailed));
    // Stored before the fault, but never acknowledged: its sender keeps it and sends it again
    // (applying an update twice changes nothing).
    expect(a.acks.at(-1)).toEqual({ ok: false, error: 'the document failed on the server' });

    // The other board goes on.
    typeTask(other.docs.tasks, 'still here');
    await eventually(() => expect(other.acks).toEqual([{ ok: true }]));
    expect(other.closing).toBeNull();

    // A new connection loads the document again from the store.
    failing = null;
    const again = new SioClient(server.url, { board: hit.id, token: hit.tokens.viewer });
    await eventually(() => expect(taskText(again.docs.tasks)).toBe('never stored first'));
  });
});
