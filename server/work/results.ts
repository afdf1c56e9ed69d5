import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** A computed download, as the bytes sent. */
export interface CachedResult {
  body: Uint8Array;
}

/**
 * Results of heavy work for unchanged documents (issue 17, HV3), keyed by
 * their ETag: a hash of the route, its parameters, who asks (what they may
 * see) and the documents' versions (server/work/doc-version.ts). Bounded by
 * the bytes it holds (lru-cache): the least recently used results go first,
 * and a result larger than a quarter of the bound is never kept.
 */
export class ResultCache {
  private readonly cache: LRUCache<string, CachedResult>;
  private readonly maxEntryBytes: number;

  constructor(maxBytes: number) {
    this.maxEntryBytes = Math.floor(maxBytes / 4);
    this.cache = new LRUCache<string, CachedResult>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (r) => Math.max(1, r.body.byteLength),
    });
  }

  get(etag: string): CachedResult | undefined {
    return this.cache.get(etag);
  }

  set(etag: string, result: CachedResult): void {
    if (result.body.byteLength <= this.maxEntryBytes) this.cache.set(etag, result);
  }
}

/** A strong ETag for `parts` (JSON of them, hashed): the same parts give the same tag on every instance. */
export function etagOf(parts: unknown[]): string {
  return `"${createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32)}"`;
}

/** Whether `If-None-Match` lists `etag` (or is `*`): then the client's copy is current (304). */
export function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*');
}
