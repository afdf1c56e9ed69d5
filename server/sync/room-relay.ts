import type { Logger } from '../log';
import type { Relay } from '../relay/relay';
import type { DocumentHooks } from './doc-hooks';
import { RelayCheck } from './relay-check';
import type { Room } from './room';

/**
 * The relay between instances, attached to one room as document hooks (R1–R3):
 * it subscribes before the stored log is read (an update another instance
 * stores after our read is then relayed to us; applying one twice is
 * harmless), publishes what this instance stored and its people's presence,
 * and runs the anti-entropy check (server/sync/relay-check.ts).
 */
export function relayHooks(relay: Relay, log: Logger, checkMs: number): DocumentHooks {
  let check: RelayCheck | null = null;
  let unsubscribe: () => void = () => {};
  let stopResubscribed: () => void = () => {};
  const publishOwnPresence = (room: Room): void => {
    const own = room.presence.ownPresence();
    if (own && !room.destroyed) relay.publish(room.name, 'awareness', own);
  };
  return {
    async beforeLoad(room) {
      const c = new RelayCheck(
        {
          name: room.name,
          doc: room.doc,
          relay,
          log,
          settled: () => room.settled,
          // A peer that (re)appears has missed our presence: send it again.
          onPeerSeen: () => publishOwnPresence(room),
          onPeerGone: (instance) => room.presence.dropInstance(instance),
        },
        checkMs,
      );
      check = c;
      stopResubscribed = relay.onResubscribed(() => {
        // We may have missed updates and presence: tell the others what we have.
        c.announce();
        publishOwnPresence(room);
      });
      unsubscribe = await relay.subscribe(room.name, (kind, payload, from) => {
        if (room.destroyed) return;
        c.heard(from);
        if (kind === 'update') room.applyRelayed(payload);
        else if (kind === 'awareness') room.presence.applyRelayed(payload, from);
        else c.receive(from, payload);
      });
    },
    onLoad: () => check?.announce(),
    afterStore: (room, merged) => relay.publish(room.name, 'update', merged),
    afterPresence: (room, update) => relay.publish(room.name, 'awareness', update),
    onUnload() {
      unsubscribe();
      check?.stop();
      stopResubscribed();
    },
  };
}
