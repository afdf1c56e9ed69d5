import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { LIMITS } from '../../shared/protocol';
import { awarenessFrame, encodeAwarenessEntries } from '../../shared/protocol/frames';
import type { Logger } from '../log';
import type { Connection } from './connection';
import { ProtocolError } from './frame';
import { sanitizeAwarenessState } from './presence';

const MAX_AWARENESS_IDS_PER_CONNECTION = 4;

type Changes = { added: number[]; updated: number[]; removed: number[] };

/**
 * A room's presence (awareness): each connection owns the entries it created
 * (A1), entries are bound to the connection's person, and changes are sent to
 * everyone at most once per `tickMs` (S4). Entries of people connected to
 * another instance are shown here and owned there (by its relay id).
 */
export class RoomPresence {
  readonly awareness: awarenessProtocol.Awareness;
  /** Who owns each awareness client id: a local connection, or another instance (its relay id). */
  private readonly owners = new Map<number, Connection | string>();
  /** The entries each local connection created. */
  private readonly owned = new Map<Connection, Set<number>>();
  private changed = new Set<number>();
  /** Changes made by this instance's connections, to publish to other instances. */
  private changedHere = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    doc: Y.Doc,
    private readonly opts: {
      name: string;
      log: Logger;
      tickMs: number;
      /** The connections that receive presence. */
      members(): Iterable<Connection>;
      /** Our connections' changed entries, for the other instances. */
      publish(update: Uint8Array): void;
    },
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    // The server has no presence of its own.
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onUpdate);
  }

  /** A connection joined: it owns nothing yet and is sent everyone's presence. */
  join(conn: Connection): void {
    this.owned.set(conn, new Set());
    const states = this.awareness.getStates();
    if (states.size > 0) conn.send(awarenessFrame(this.awareness, [...states.keys()]));
  }

  /** A connection left: its entries go. */
  leave(conn: Connection): void {
    const ids = this.owned.get(conn);
    if (!ids) return;
    this.owned.delete(conn);
    for (const id of ids) this.owners.delete(id);
    if (ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], 'leave');
  }

  /** The answer to a query: everyone's presence. */
  query(conn: Connection): void {
    conn.send(awarenessFrame(this.awareness, [...this.awareness.getStates().keys()]));
  }

  /** A client's awareness update: only entries it may write, bound to its person (A1). */
  receive(conn: Connection, update: Uint8Array): void {
    const owned = this.owned.get(conn);
    if (!owned) return;
    const decoder = decoding.createDecoder(update);
    const n = decoding.readVarUint(decoder);
    if (n > 64) throw new ProtocolError('too many awareness entries');
    const accepted: [number, number, string][] = [];
    for (let i = 0; i < n; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const json = decoding.readVarString(decoder);
      const owner = this.owners.get(clientId);
      // A client can neither remove nor impersonate someone else's presence.
      if (owner && owner !== conn) continue;
      if (!owner) {
        if (owned.size >= MAX_AWARENESS_IDS_PER_CONNECTION) continue;
        if (json === 'null') continue; // removing an entry you never had
      }
      if (json.length > LIMITS.maxAwarenessStateBytes) continue;
      let state: unknown;
      try {
        state = JSON.parse(json);
      } catch (e) {
        // A peer's unreadable presence entry is dropped, like every entry that breaks A1.
        this.opts.log.debug({ err: e, conn: conn.id }, 'presence entry is not JSON; ignored');
        continue;
      }
      const clean = sanitizeAwarenessState(state, conn.peer);
      if (clean === undefined) continue;
      if (!owner) {
        owned.add(clientId);
        this.owners.set(clientId, conn);
      }
      accepted.push([clientId, clock, JSON.stringify(clean)]);
    }
    if (accepted.length === 0) return;
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), conn);
  }

  /** Presence of people connected to another instance: shown here, owned there. */
  applyRelayed(update: Uint8Array, instance: string): void {
    try {
      const decoder = decoding.createDecoder(update);
      const ids: number[] = [];
      for (let n = decoding.readVarUint(decoder); n > 0; n--) {
        ids.push(decoding.readVarUint(decoder));
        decoding.readVarUint(decoder);
        decoding.readVarString(decoder);
      }
      // Never let a relayed entry overwrite one of our own connections' entries.
      if (ids.some((id) => typeof (this.owners.get(id) ?? '') !== 'string')) return;
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, 'relay');
      const states = this.awareness.getStates();
      for (const id of ids) if (states.has(id)) this.owners.set(id, instance);
    } catch (e) {
      this.opts.log.error({ err: e, doc: this.opts.name }, 'relayed presence rejected');
    }
  }

  /** Our own connections' presence, for an instance that (re)appeared; null when there is none. */
  ownPresence(): Uint8Array | null {
    const states = this.awareness.getStates();
    const ids = [...this.owners]
      .filter(([id, owner]) => typeof owner !== 'string' && states.has(id))
      .map(([id]) => id);
    return ids.length > 0 && !this.stopped
      ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids)
      : null;
  }

  /** An instance fell silent (crashed or cut off): its people are no longer here (R3). */
  dropInstance(instance: string): void {
    const ids = [...this.owners].filter(([, owner]) => owner === instance).map(([id]) => id);
    if (ids.length === 0) return;
    this.opts.log.warn(
      { doc: this.opts.name, people: ids.length },
      'another instance went silent; removing its presence',
    );
    awarenessProtocol.removeAwarenessStates(this.awareness, ids, 'relay');
  }

  private readonly onUpdate = ({ added, updated, removed }: Changes, origin: unknown): void => {
    // Local changes go to other instances too; relayed ones and timeouts stay here.
    const local = origin !== 'relay' && origin !== 'timeout';
    for (const ids of [added, updated, removed])
      for (const id of ids) {
        this.changed.add(id);
        if (local) this.changedHere.add(id);
      }
    for (const id of removed) if (typeof this.owners.get(id) === 'string') this.owners.delete(id);
    if (this.timer === null && !this.stopped) this.timer = setTimeout(this.flush, this.opts.tickMs);
  };

  private readonly flush = (): void => {
    this.timer = null;
    if (this.changed.size === 0 || this.stopped) return;
    if (this.changedHere.size > 0) {
      const ids = [...this.changedHere];
      this.changedHere.clear();
      this.opts.publish(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
    }
    const frame = awarenessFrame(this.awareness, [...this.changed]);
    this.changed.clear();
    for (const conn of this.opts.members()) conn.send(frame);
  };

  destroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.awareness.off('update', this.onUpdate);
    this.awareness.destroy();
  }
}
