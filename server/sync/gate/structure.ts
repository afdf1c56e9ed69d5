/**
 * Where each struct of an incoming update would land, found without applying
 * it (rule G4). Yjs encodes an item's parent only when it has neither origin
 * nor right origin; otherwise the parent is that of its neighbours. So every
 * dependency must be known, either already in the server's document or
 * earlier in the same update, or the item's place cannot be known, and Yjs
 * would keep it as a pending struct (the memory and CPU sink of the issue).
 */
import * as Y from 'yjs';
import type { DenialCode } from '../../../shared/protocol';

/** A refusal found while reading an update: the whole update is refused. */
export class Refusal extends Error {
  constructor(
    readonly code: DenialCode,
    reason: string,
  ) {
    super(reason);
    this.name = 'Refusal';
  }
}

export const refuse = (code: DenialCode, reason: string): never => {
  throw new Refusal(code, reason);
};

/** A shared type the update writes into: one of the document's, or one the update creates. */
export type TypeRef =
  | { readonly kind: 'doc'; readonly type: Y.AbstractType<unknown>; readonly path: readonly string[] | null }
  | { readonly kind: 'new'; readonly item: Y.Item; readonly path: readonly string[] | null };

/** Where an item of the update lands: a map entry (`key`), a list/text element (`key` null), or nowhere. */
export type Placement =
  | { readonly dropped: true }
  | { readonly dropped: false; readonly parent: TypeRef; readonly key: string | null };

const DROPPED: Placement = Object.freeze({ dropped: true });

type Struct = Y.Item | Y.GC | Y.Skip;

/** The structs of one update by client, sorted by clock, for lookups by id. */
export class UpdateIndex {
  readonly byClient = new Map<number, Struct[]>();
  /** Items whose clocks the server does not have yet, in update order. */
  readonly fresh: Y.Item[] = [];
  /** All struct ranges the server does not have yet (items and GC ranges). */
  readonly freshCount: number;

  constructor(
    readonly structs: readonly Struct[],
    private readonly store: Y.Doc['store'],
  ) {
    let freshCount = 0;
    for (const s of structs) {
      let list = this.byClient.get(s.id.client);
      if (!list) this.byClient.set(s.id.client, (list = []));
      list.push(s);
    }
    for (const [client, list] of this.byClient) {
      list.sort((a, b) => a.id.clock - b.id.clock);
      const known = Y.getState(store, client);
      let next = list[0]!.id.clock;
      // An update that starts after what the server has would leave a gap: pending structs.
      if (next > known)
        refuse(
          'missing-dependencies',
          `the update skips clocks ${known}..${next} of client ${client}: sync first`,
        );
      for (const s of list) {
        if (s instanceof Y.Skip || s.id.clock !== next)
          refuse('missing-dependencies', `the update has a gap in the clocks of client ${client}`);
        next = s.id.clock + s.length;
        if (next > known) {
          freshCount++;
          if (s instanceof Y.Item) this.fresh.push(s);
        }
      }
    }
    this.freshCount = freshCount;
  }

  /** Clients that get new clocks from this update. */
  freshClients(): number[] {
    const out: number[] = [];
    for (const [client, list] of this.byClient) {
      const last = list[list.length - 1]!;
      if (last.id.clock + last.length > Y.getState(this.store, client)) out.push(client);
    }
    return out;
  }

  /** The struct of this update that contains `id`, if any. */
  find(id: Y.ID): Struct | null {
    const list = this.byClient.get(id.client);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s;
    }
    return null;
  }

  /** Whether the update itself holds the range `[clock, clock + len)` of `client`. */
  covers(client: number, clock: number, len: number): boolean {
    const list = this.byClient.get(client);
    if (!list || list.length === 0) return false;
    const first = list[0]!;
    const last = list[list.length - 1]!;
    return clock >= first.id.clock && clock + len <= last.id.clock + last.length;
  }
}

/** The path of a type of the server's document from its root (null: not a map-addressed place). */
export function docTypePath(type: Y.AbstractType<unknown>): string[] | null {
  const keys: string[] = [];
  let t: Y.AbstractType<unknown> = type;
  // Bounded: the schema is at most four levels deep, and anything deeper is refused on the way in.
  for (let depth = 0; depth < 16; depth++) {
    const item = t._item;
    if (item === null) {
      keys.push(Y.findRootTypeKey(t));
      return keys.reverse();
    }
    if (item.parentSub === null || !(item.parent instanceof Y.AbstractType)) return null;
    keys.push(item.parentSub);
    t = item.parent;
  }
  return null;
}

const pathOf = (ref: TypeRef): readonly string[] | null => ref.path;

/**
 * Finds where every fresh item of `index` lands, or throws a Refusal. Follows
 * Yjs's own rules (Item.getMissing): the parent comes from the origin, else
 * from the right origin, else from the encoded parent; an item next to a
 * garbage-collected struct, or inside a deleted type, is dropped by Yjs.
 * Iterative, so a long chain of references cannot overflow the stack.
 */
export function placeItems(
  doc: Y.Doc,
  index: UpdateIndex,
  isRoot: (name: string) => boolean,
): Map<Y.Item, Placement> {
  const store = doc.store;
  const placed = new Map<Y.Item, Placement>();
  const visiting = new Set<Y.Item>();
  /** One TypeRef per server type: thousands of items of one update share a few parents. */
  const refs = new Map<Y.AbstractType<unknown>, TypeRef>();
  const newRefs = new Map<Y.Item, TypeRef>();
  const docRef = (type: Y.AbstractType<unknown>): TypeRef => {
    let ref = refs.get(type);
    if (!ref) refs.set(type, (ref = { kind: 'doc', type, path: docTypePath(type) }));
    return ref;
  };

  /** A dependency `id` of `item`: a doc struct, a fresh update item, or a refusal. */
  const dep = (item: Y.Item, id: Y.ID): Struct | Y.Item => {
    if (id.clock < Y.getState(store, id.client)) return Y.getItem(store, id) as Struct;
    const s = index.find(id);
    if (s === null)
      refuse('missing-dependencies', 'the update refers to content the server does not have: sync first');
    // Yjs integrates one client's structs in clock order: a reference forward is a dangling one.
    if (id.client === item.id.client && id.clock >= item.id.clock)
      refuse('missing-dependencies', 'an item refers to a later item of its own client');
    if (!(s instanceof Y.Item)) return s!;
    return s;
  };

  const isFresh = (s: Struct): boolean =>
    s instanceof Y.Item && s.id.clock + s.length > Y.getState(store, s.id.client);

  /** Placement of a neighbour (origin or right origin) as Yjs would see it. */
  const neighbour = (s: Struct): Placement | undefined => {
    if (!(s instanceof Y.Item)) return DROPPED; // GC neighbour: Yjs drops the item
    if (isFresh(s)) return placed.get(s); // undefined: not resolved yet
    const parent = s.parent;
    if (!(parent instanceof Y.AbstractType)) return DROPPED;
    return {
      dropped: false,
      parent: docRef(parent),
      key: s.parentSub,
    };
  };

  const typeOf = (s: Struct): Placement | TypeRef | undefined => {
    if (!(s instanceof Y.Item)) return DROPPED;
    if (isFresh(s)) {
      const p = placed.get(s);
      if (p === undefined) return undefined;
      if (p.dropped) return DROPPED;
      if (!(s.content instanceof Y.ContentType))
        refuse('schema', 'an item names a parent that is not a shared type');
      if (p.key === null) refuse('schema', 'a shared type inside a list is not part of the schema');
      let ref = newRefs.get(s);
      if (!ref) {
        const base = pathOf(p.parent);
        newRefs.set(s, (ref = { kind: 'new', item: s, path: base ? [...base, p.key!] : null }));
      }
      return ref;
    }
    if (s.content instanceof Y.ContentType) {
      const t = s.content.type as Y.AbstractType<unknown>;
      return docRef(t);
    }
    if (s.content instanceof Y.ContentDeleted) return DROPPED; // a deleted (collected) type
    return refuse('schema', 'an item names a parent that is not a shared type');
  };

  /** Try to place `item`; returns the unresolved fresh items it waits for, or null when placed. */
  const attempt = (item: Y.Item): Y.Item[] | null => {
    const waits: Y.Item[] = [];
    let left: Placement | undefined;
    let right: Placement | undefined;
    if (item.origin) {
      const s = dep(item, item.origin);
      left = neighbour(s);
      if (left === undefined) waits.push(s as Y.Item);
    }
    if (item.rightOrigin) {
      const s = dep(item, item.rightOrigin);
      right = neighbour(s);
      if (right === undefined) waits.push(s as Y.Item);
    }
    let parentRef: Placement | TypeRef | undefined;
    if (!item.origin && !item.rightOrigin) {
      const p = item.parent as unknown;
      if (typeof p === 'string') {
        // Checked first: `doc.getMap` would create an unknown root in the server's document.
        if (!isRoot(p)) refuse('schema', `the document has no root "${p.slice(0, 40)}"`);
        parentRef = docRef(doc.getMap(p) as Y.AbstractType<unknown>);
      } else if (p instanceof Y.ID) {
        const s = dep(item, p);
        parentRef = typeOf(s);
        if (parentRef === undefined) waits.push(s as Y.Item);
      } else {
        refuse('malformed', 'an item without a place');
      }
    }
    if (waits.length > 0) return waits;

    if ((left && left.dropped) || (right && right.dropped)) {
      placed.set(item, DROPPED);
      return null;
    }
    let at: Placement;
    if (left || right) {
      const l = left as Exclude<Placement, { dropped: true }> | undefined;
      const r = right as Exclude<Placement, { dropped: true }> | undefined;
      // Honest clients always name two neighbours of the same list or map key;
      // neighbours in different places make Yjs walk the whole list (a CPU sink).
      if (l && r && !samePlace(l, r)) refuse('schema', 'an item between neighbours of different places');
      const n = (l ?? r)!;
      at = { dropped: false, parent: n.parent, key: n.key };
    } else if (parentRef && 'dropped' in parentRef) {
      at = DROPPED;
    } else {
      at = { dropped: false, parent: parentRef as TypeRef, key: item.parentSub };
    }
    // An item the server has the start of is cut by Yjs and continues after that
    // start, whatever its origin says: both must be the same place.
    const known = Y.getState(store, item.id.client);
    if (item.id.clock < known && !at.dropped) {
      const before = neighbour(Y.getItem(store, Y.createID(item.id.client, known - 1)) as Struct);
      if (before === undefined || before.dropped || !samePlace(before, at))
        refuse('schema', 'an item continues in another place than where it started');
    }
    placed.set(item, at);
    return null;
  };

  for (const start of index.fresh) {
    if (placed.has(start)) continue;
    const stack: Y.Item[] = [start];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (placed.has(top)) {
        stack.pop();
        visiting.delete(top);
        continue;
      }
      const waits = attempt(top);
      if (waits === null) {
        stack.pop();
        visiting.delete(top);
        continue;
      }
      visiting.add(top);
      for (const w of waits) {
        // A cycle of references can never be integrated: Yjs would keep it pending forever.
        if (visiting.has(w)) refuse('missing-dependencies', 'the update has a cycle of references');
        stack.push(w);
      }
    }
  }
  return placed;
}

const samePlace = (
  a: Exclude<Placement, { dropped: true }>,
  b: Exclude<Placement, { dropped: true }>,
): boolean => a.key === b.key && sameType(a.parent, b.parent);

export function sameType(a: TypeRef, b: TypeRef): boolean {
  return a.kind === 'doc' && b.kind === 'doc'
    ? a.type === b.type
    : a.kind === 'new' && b.kind === 'new' && a.item === b.item;
}
