import iconv from 'iconv-lite';

/**
 * Repair of text whose UTF-8 bytes were decoded as Windows-1252 or Latin-1
 * ("CharitÃ©" for "Charité", "ðŸ™‚" for "🙂"), which real workshop pages
 * often contain after passing through a CMS or an e-mail.
 *
 * No well-kept npm package does exactly this (the one candidate,
 * fix-latin1-to-utf8, has a few thousand downloads a month and handles
 * Latin-1 only), so the repair is written here; the Windows-1252 table comes
 * from iconv-lite rather than being typed by hand. (Node 20's TextDecoder
 * decodes "windows-1252" as plain Latin-1, so it cannot provide the table.)
 *
 * The repair works on the smallest unit that can be judged: one mis-decoded
 * UTF-8 sequence (a lead byte followed by its continuation bytes, each shown
 * as one character). A sequence is replaced only when its bytes are valid
 * UTF-8; correct text around it, including correct accented letters, is
 * never touched. See `isConfident` for the guard against correct text that
 * happens to have the same shape.
 */

/** Character -> the single byte that Windows-1252 or Latin-1 decoded it from. */
const BYTE_OF = buildByteTable();

function buildByteTable(): Map<string, number> {
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    // Latin-1 reading: every byte is the code point of the same value
    // (this also covers the C1 controls that browsers show for the five
    // bytes Windows-1252 leaves undefined).
    table.set(String.fromCharCode(b), b);
  }
  for (let b = 0x80; b < 0xa0; b++) {
    const ch = iconv.decode(Buffer.from([b]), 'windows-1252');
    if (ch !== '\ufffd') table.set(ch, b);
  }
  return table;
}

const isContinuation = (b: number | undefined): boolean => b !== undefined && b >= 0x80 && b <= 0xbf;

/** How many continuation bytes a UTF-8 lead byte announces, or 0 when it is not a lead byte. */
function continuationCount(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 1;
  if (lead >= 0xe0 && lead <= 0xef) return 2;
  if (lead >= 0xf0 && lead <= 0xf4) return 3;
  return 0;
}

/**
 * Punctuation that correct text often puts right after a capital letter such
 * as "É" or "Ö" ("CAFÉ»", "SCHÖN…"). Two-character sequences whose lead is
 * not "Â"/"Ã" and whose second character is one of these are left alone:
 * their "repair" would produce an unlikely letter (Armenian, Hebrew, …).
 */
const PUNCTUATION_AFTER_CAPITALS = new Set([
  0x85, 0xab, 0xbb, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0x95, 0xb7, 0xb0, 0xa0, 0xb1, 0xa9, 0xae, 0x99, 0xbf,
  0xa1,
]);

/**
 * Whether a sequence is mojibake on its own. Two-character sequences whose
 * lead is not "Â"/"Ã" and whose second character is common punctuation are
 * only *possible* mojibake: correct text writes "CAFÉ»" or "SCHÖN…", while
 * Greek read as Windows-1252 gives "Î•Î»". Those are repaired only when the
 * same word also holds a sequence that is mojibake on its own.
 */
function isConfident(bytes: number[]): boolean {
  if (bytes.length > 2) return true; // three or four exact-shape characters do not occur in correct text
  const [lead, cont] = bytes as [number, number];
  if (lead === 0xc2 || lead === 0xc3) return true; // Latin-1 supplement: "Ã©", "Â " …
  return !PUNCTUATION_AFTER_CAPITALS.has(cont);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

interface Piece {
  /** What the text says now. */
  text: string;
  /** The repaired character, when this piece is a mis-decoded UTF-8 sequence. */
  repaired: string | null;
  confident: boolean;
}

function pieces(word: string): Piece[] {
  const chars = [...word];
  const out: Piece[] = [];
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i] as string;
    const lead = BYTE_OF.get(ch);
    const need = lead === undefined ? 0 : continuationCount(lead);
    if (need > 0) {
      const bytes = [lead as number];
      for (let k = 1; k <= need; k++) {
        const b = BYTE_OF.get(chars[i + k] ?? '');
        if (!isContinuation(b)) break;
        bytes.push(b as number);
      }
      if (bytes.length === need + 1) {
        try {
          // `fatal` rejects overlong forms and surrogates, which never come from real text.
          const repaired = strictUtf8.decode(Uint8Array.from(bytes));
          out.push({ text: chars.slice(i, i + need + 1).join(''), repaired, confident: isConfident(bytes) });
          i += need + 1;
          continue;
        } catch {
          // not valid UTF-8: keep the characters as they are
        }
      }
    }
    out.push({ text: ch, repaired: null, confident: false });
    i += 1;
  }
  return out;
}

/** One word (no white space inside, except NBSP, which is itself a continuation byte). */
function repairWord(word: string): string {
  const all = pieces(word);
  const confident = all.some((p) => p.repaired !== null && p.confident);
  return all.map((p) => (p.repaired !== null && (p.confident || confident) ? p.repaired : p.text)).join('');
}

/** Characters that can start a mis-decoded UTF-8 sequence (bytes C2–F4 read as Latin-1). */
const LEAD = /[\u00c2-\u00f4]/u;

function repairOnce(text: string): string {
  // Words without a possible lead character (most of any page) are kept as they are.
  return text.replace(/[^\t\n\r ]+/gu, (word) => (LEAD.test(word) ? repairWord(word) : word));
}

/**
 * Repairs UTF-8 that was read as Windows-1252/Latin-1, also when it happened
 * twice. Text without such sequences is returned unchanged (the same string).
 */
export function repairMojibake(text: string): string {
  let current = text;
  // Double-encoded text needs a second pass; three passes bound the work.
  for (let pass = 0; pass < 3; pass++) {
    const next = repairOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}
