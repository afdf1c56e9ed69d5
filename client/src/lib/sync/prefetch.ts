import * as Y from 'yjs';
import { decodeDocStates } from '$shared/protocol/doc-states';
import { DOC_KINDS, type DocKind, type Origin } from '$shared/schema';

export type DocStates = Partial<Record<DocKind, Uint8Array>>;

/**
 * The origin of prefetched state: the server's content, so the provider does
 * not send it back as this person's change (it ignores remote origins).
 */
export const PREFETCH_ORIGIN: Origin = Object.freeze({ kind: 'remote', connectionId: 'prefetch' });

/**
 * DL3: the board's documents over HTTP (`GET /api/boards/:id/docs`), started
 * while the name prompt is open: the live connection needs the name, the
 * documents do not. Null when they cannot be had (the live sync brings them then).
 */
export async function prefetchDocStates(
  boardId: string,
  token: string,
  opts: { url?: string; fetch?: typeof fetch } = {},
): Promise<DocStates | null> {
  const base = opts.url ?? globalThis.location?.origin ?? '';
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  try {
    const res = await doFetch(`${base}/api/boards/${encodeURIComponent(boardId)}/docs`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) return null;
    return decodeDocStates(new Uint8Array(await res.arrayBuffer()));
  } catch {
    return null;
  }
}

/** Puts prefetched states into the documents (a broken one is left to the live sync). */
export function applyDocStates(docs: Readonly<Record<DocKind, Y.Doc>>, states: DocStates): void {
  for (const kind of DOC_KINDS) {
    const update = states[kind];
    if (!update) continue;
    try {
      Y.applyUpdate(docs[kind], update, PREFETCH_ORIGIN);
    } catch {
      // The live connection's sync gives the same content.
    }
  }
}
