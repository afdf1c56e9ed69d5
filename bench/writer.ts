import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MESSAGE } from '../shared/protocol';
import { addNote, moveNote, noteText } from '../shared/ops/board';
import { localOrigin, newId } from '../shared/schema';
import { openLink, type Endpoint, type Link } from './link';
import { MOVE_FRACTION } from './marker';

const FROM_SERVER = Symbol('from-server');
/** A person types a few words per note, then starts a new one. */
const NOTE_LENGTH = 160;

/**
 * A participant with a full Y.Doc, as a browser would have: it syncs, applies
 * everybody's updates, and writes through the shared board operations
 * (a new sticky note, then typing into its text).
 */
export class Writer {
  readonly doc = new Y.Doc();
  readonly link: Link;
  readonly synced: Promise<void>;
  closedBecause: string | null = null;
  private markSynced: () => void = () => {};
  private noteId: string | null = null;
  /** The author id the server issued to this writer (notes carry their author's own id). */
  private readonly userId: string;
  private readonly origin;

  constructor(
    endpoint: Endpoint,
    private readonly name: string,
    private readonly index: number,
    timeoutMs: number,
    userId: string | null,
  ) {
    this.userId = userId ?? newId();
    this.origin = localOrigin(this.userId);
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
    this.link = openLink(
      endpoint,
      (frame) => this.onFrame(frame),
      (why) => (this.closedBecause = why),
      timeoutMs,
    );
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === FROM_SERVER) return;
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE.sync);
      syncProtocol.writeUpdate(enc, update);
      this.link.send(encoding.toUint8Array(enc));
    });
    void this.link.opened.then(
      () => {
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, MESSAGE.sync);
        syncProtocol.writeSyncStep1(enc, this.doc);
        this.link.send(encoding.toUint8Array(enc));
      },
      () => {},
    );
  }

  private onFrame(frame: Buffer): void {
    const decoder = decoding.createDecoder(frame);
    if (decoding.readVarUint(decoder) !== MESSAGE.sync) return;
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.sync);
    const type = syncProtocol.readSyncMessage(decoder, enc, this.doc, FROM_SERVER);
    if (type === syncProtocol.messageYjsSyncStep2) this.markSynced();
    if (encoding.length(enc) > 1) this.link.send(encoding.toUint8Array(enc));
  }

  /** One small edit carrying `text` (an edit marker); `newNote`: in a note of its own. */
  edit(text: string, newNote = false): void {
    const current = this.noteId && !newNote ? noteText(this.doc, this.noteId) : null;
    if (current && current.length + text.length <= NOTE_LENGTH) {
      this.doc.transact(() => current.insert(current.length, text), this.origin);
      return;
    }
    this.noteId = addNote(
      this.doc,
      {
        text,
        x: 220 * (this.index % 8),
        y: 160 * Math.floor(this.index / 8) + 20 * (this.doc.clientID % 10),
        authorId: this.userId,
        authorName: this.name,
        itemId: null,
      },
      this.origin,
    );
  }

  /** The moves workload: this writer's own note to drag around (made before the edits start). */
  private movingId: string | null = null;

  addNoteToMove(): void {
    this.movingId = addNote(
      this.doc,
      { text: `${this.name}'s note`, x: 0, y: 0, authorId: this.userId, authorName: this.name, itemId: null },
      this.origin,
    );
  }

  /** Moves the note (an x/y map update, as a drag sends it); x carries edit `id` (see scanMoves). */
  move(id: number): void {
    if (!this.movingId) this.addNoteToMove();
    moveNote(this.doc, this.movingId!, id + MOVE_FRACTION, 160 * this.index + (id % 50) + 0.5, this.origin);
  }

  close(): void {
    this.link.close();
    this.doc.destroy();
  }
}
