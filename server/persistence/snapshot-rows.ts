import type { SnapshotKind, SnapshotMeta } from './store';

/** A `board_snapshots` row without its documents, as both stores return it. */
export interface SnapshotMetaRow {
  board_id: string;
  id: string;
  label: string;
  item_id: string | null;
  kind: string;
  /** PostgreSQL returns BIGINT as a string. */
  created_at: string | number;
  content_hash: string;
  bytes: string | number;
}

export function snapshotMetaFromRow(r: SnapshotMetaRow): SnapshotMeta {
  return {
    id: r.id,
    boardId: r.board_id,
    label: r.label,
    itemId: r.item_id,
    kind: r.kind as SnapshotKind,
    createdAt: Number(r.created_at),
    contentHash: r.content_hash,
    bytes: Number(r.bytes),
  };
}

/**
 * HS3: a snapshot that would repeat the board's newest one is not stored. An
 * "After …" snapshot repeats only another talk's: a talk that ends right after
 * an organizer's own snapshot still gets its entry in History (issue 20).
 */
export function isRepeat(
  newest: Pick<SnapshotMetaRow, 'content_hash' | 'kind'>,
  record: { contentHash: string; kind: SnapshotKind },
): boolean {
  if (newest.content_hash !== record.contentHash) return false;
  return record.kind !== 'talk' || newest.kind === 'talk';
}
