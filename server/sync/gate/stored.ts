/**
 * Reads of the server's document inside the gate, on Yjs items directly: the
 * gate looks at what is stored before the update, without building values.
 */
import * as Y from 'yjs';

type MapLike = { _map: Map<string, Y.Item> };

/** Number of live entries of a map type (Y.Map#size walks the entries too). */
export function liveEntries(type: MapLike): number {
  let n = 0;
  for (const item of type._map.values()) if (!item.deleted) n++;
  return n;
}

/** The live item under `key` of a stored map type, or null. */
export const currentValue = (type: Y.AbstractType<unknown> | null, key: string): Y.Item | null => {
  const item = type?._map.get(key);
  return item && !item.deleted ? item : null;
};

/** A stored string under `key`, or '' when absent or not a string. */
export const storedString = (type: Y.AbstractType<unknown> | null, key: string): string => {
  const item = currentValue(type, key);
  const v = item?.content instanceof Y.ContentAny ? item.content.arr[0] : undefined;
  return typeof v === 'string' ? v : '';
};

/** Whether a stored group (a Y.Map) holds any vote. */
export const hasVotes = (group: Y.AbstractType<unknown>): boolean => {
  const votes = currentValue(group, 'votes');
  return votes?.content instanceof Y.ContentType && liveEntries(votes.content.type as unknown as MapLike) > 0;
};

/** A vote count as stored: a positive whole number, else 0. */
export const storedCount = (item: Y.Item | null): number => {
  const v = item?.content instanceof Y.ContentAny ? item.content.arr[0] : undefined;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
};
