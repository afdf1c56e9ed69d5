import { STOP_WORDS } from './stopwords';

/**
 * Suggested groups of notes (issue 11, GR4): notes are clustered by what they
 * say, with no network and no model. Each note becomes a TF-IDF vector over
 * its words (lower-cased, English stop words dropped, plurals folded),
 * normalised; clusters are merged bottom-up by average cosine similarity
 * (Lance–Williams update over one similarity matrix) while the two closest
 * clusters are at least `threshold` alike. A cluster of one note is not a
 * group: such notes stay alone. Each group is titled by its most telling
 * words: the terms that weigh most across its notes and occur in several.
 * Pure and deterministic (ties broken by input order).
 */

export interface SuggestInput {
  id: string;
  text: string;
}

export interface SuggestedGroup {
  title: string;
  noteIds: string[];
}

export const SUGGEST_LIMITS = {
  /**
   * Notes considered at most (only the newest when there are more): bounds time and memory (n²
   * floats). 500 notes that are all alike take about 120 ms on a 2-core machine (the worst case).
   */
  maxNotes: 500,
  /** Characters read per note. */
  maxChars: 2000,
  /** Words in a title. */
  titleWords: 3,
} as const;

/** Average cosine similarity at which two clusters still merge. */
export const DEFAULT_THRESHOLD = 0.07;

/** Folds simple English plurals and possessives so that "sensor" and "sensors" count as one term. */
export function stem(word: string): string {
  let w = word.replace(/['’]s$/, '');
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** The terms of a text (stems) and the surface form seen for each. */
export function terms(text: string): { stem: string; word: string }[] {
  const out: { stem: string; word: string }[] = [];
  const words =
    text
      .slice(0, SUGGEST_LIMITS.maxChars)
      .toLowerCase()
      .match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  for (const raw of words) {
    const word = raw.replace(/['’-]+$/, '');
    if (word.length < 2 || /^\p{N}+$/u.test(word) || STOP_WORDS.has(word)) continue;
    const s = stem(word);
    if (STOP_WORDS.has(s)) continue;
    out.push({ stem: s, word });
  }
  return out;
}

type Vector = Map<number, number>;

function dot(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, v] of small) {
    const w = large.get(k);
    if (w !== undefined) s += v * w;
  }
  return s;
}

export function suggestGroups(
  notes: readonly SuggestInput[],
  threshold: number = DEFAULT_THRESHOLD,
): SuggestedGroup[] {
  // Callers list notes oldest first: the newest are kept.
  const input = notes.slice(-SUGGEST_LIMITS.maxNotes);
  // Vocabulary, document frequencies and surface forms.
  const vocab = new Map<string, number>();
  const surface: Map<string, number>[] = [];
  const bags: Map<number, number>[] = [];
  const df: number[] = [];
  for (const n of input) {
    const bag = new Map<number, number>();
    for (const t of terms(n.text)) {
      let id = vocab.get(t.stem);
      if (id === undefined) {
        id = vocab.size;
        vocab.set(t.stem, id);
        surface.push(new Map());
        df.push(0);
      }
      const forms = surface[id]!;
      forms.set(t.word, (forms.get(t.word) ?? 0) + 1);
      bag.set(id, (bag.get(id) ?? 0) + 1);
    }
    for (const id of bag.keys()) df[id] = (df[id] ?? 0) + 1;
    bags.push(bag);
  }
  const N = input.length;
  const idf = df.map((d) => Math.log((1 + N) / (1 + d)) + 1);
  const vectors: Vector[] = bags.map((bag) => {
    const v: Vector = new Map();
    let norm = 0;
    for (const [id, count] of bag) {
      const w = (1 + Math.log(count)) * idf[id]!;
      v.set(id, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [id, w] of v) v.set(id, w / norm);
    return v;
  });

  // Notes with no telling word at all stay alone.
  const active = vectors.map((v, i) => (v.size > 0 ? i : -1)).filter((i) => i >= 0);
  const n = active.length;
  if (n < 2) return [];
  const sim = new Float32Array(n * n);
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      const s = dot(vectors[active[a]!]!, vectors[active[b]!]!);
      sim[a * n + b] = s;
      sim[b * n + a] = s;
    }
  const members: (number[] | null)[] = active.map((_, a) => [a]);
  /** Per live cluster, its most similar live partner and that similarity. */
  const best = new Int32Array(n).fill(-1);
  const bestSim = new Float32Array(n).fill(-1);
  const refresh = (a: number): void => {
    best[a] = -1;
    bestSim[a] = -1;
    for (let b = 0; b < n; b++) {
      if (b === a || members[b] === null) continue;
      const s = sim[a * n + b]!;
      if (s > bestSim[a]!) {
        bestSim[a] = s;
        best[a] = b;
      }
    }
  };
  for (let a = 0; a < n; a++) refresh(a);

  for (;;) {
    let a = -1;
    for (let i = 0; i < n; i++) if (members[i] !== null && (a < 0 || bestSim[i]! > bestSim[a]!)) a = i;
    if (a < 0 || best[a]! < 0 || bestSim[a]! < threshold) break;
    const b = best[a]!;
    const [keep, gone] = a < b ? [a, b] : [b, a];
    const sk = members[keep]!.length;
    const sg = members[gone]!.length;
    for (let k = 0; k < n; k++) {
      if (members[k] === null || k === keep || k === gone) continue;
      const s = (sk * sim[keep * n + k]! + sg * sim[gone * n + k]!) / (sk + sg);
      sim[keep * n + k] = s;
      sim[k * n + keep] = s;
    }
    members[keep] = [...members[keep]!, ...members[gone]!];
    members[gone] = null;
    for (let k = 0; k < n; k++) {
      if (members[k] === null) continue;
      if (k === keep || best[k] === keep || best[k] === gone) refresh(k);
      else if (sim[k * n + keep]! > bestSim[k]!) {
        bestSim[k] = sim[k * n + keep]!;
        best[k] = keep;
      }
    }
  }

  const groups: { group: SuggestedGroup; first: number }[] = [];
  for (const m of members) {
    if (m === null || m.length < 2) continue;
    const idx = m.map((a) => active[a]!).sort((x, y) => x - y);
    groups.push({
      group: { title: titleOf(idx, vectors, surface), noteIds: idx.map((i) => input[i]!.id) },
      first: idx[0]!,
    });
  }
  return groups.sort((x, y) => x.first - y.first).map((g) => g.group);
}

/** The most telling words of a cluster: weight summed over its notes, favouring words several share. */
function titleOf(
  idx: readonly number[],
  vectors: readonly Vector[],
  surface: readonly Map<string, number>[],
): string {
  const weight = new Map<number, { sum: number; notes: number }>();
  for (const i of idx)
    for (const [id, w] of vectors[i]!) {
      const e = weight.get(id) ?? { sum: 0, notes: 0 };
      e.sum += w;
      e.notes += 1;
      weight.set(id, e);
    }
  const ranked = [...weight.entries()]
    .map(([id, e]) => ({ id, score: e.sum * (e.notes > 1 ? 1 + Math.log(e.notes) : 0.5) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, SUGGEST_LIMITS.titleWords);
  const words = ranked.map(({ id }) => {
    const forms = [...surface[id]!.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return forms[0]![0];
  });
  const title = words.join(', ');
  return title.charAt(0).toUpperCase() + title.slice(1);
}
