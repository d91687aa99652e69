// Bag-of-words for free-text columns (reviews, notes, subject lines): lower-case word tokens, a
// vocabulary of the most common ones fitted on the training rows, and per row either 0/1 (does
// the text hold the word) or the word's count. Pure functions; features.ts keeps the fitted
// vocabulary in the model artifact.

/** Vocabulary size when none is given. */
export const DEFAULT_VOCABULARY = 200;
/** A word must occur in at least this many training texts to be kept (a word seen once teaches nothing). */
export const MIN_DOCUMENTS = 2;

// Letters and digits, with inner apostrophes kept so "don't" and "isn't" stay one word.
const WORD = /[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu;

/** The value as text: null/undefined are empty, everything else its string form. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Lower-case word tokens in order (Unicode aware; curly apostrophes read as straight ones). */
export function tokenize(value: unknown): string[] {
  const text = textOf(value).normalize("NFKC").toLowerCase();
  const tokens = text.match(WORD) ?? [];
  return tokens.map((t) => t.replace(/\u2019/g, "'"));
}

/**
 * The `size` words found in the most texts (at least `minDocuments` each), most common first,
 * ties by the word itself so the result never depends on row order.
 */
export function fitVocabulary(values: Iterable<unknown>, size = DEFAULT_VOCABULARY, minDocuments = MIN_DOCUMENTS): string[] {
  const documents = new Map<string, number>();
  for (const v of values) {
    for (const token of new Set(tokenize(v))) documents.set(token, (documents.get(token) ?? 0) + 1);
  }
  return [...documents]
    .filter(([, n]) => n >= minDocuments)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, size)
    .map(([t]) => t);
}

/** word -> position, built once per vocabulary array and reused. */
const indexes = new WeakMap<readonly string[], Map<string, number>>();

export function vocabularyIndex(vocabulary: readonly string[]): Map<string, number> {
  let index = indexes.get(vocabulary);
  if (!index) {
    index = new Map(vocabulary.map((t, i) => [t, i]));
    indexes.set(vocabulary, index);
  }
  return index;
}

/**
 * Write the bag of words of `value` into out[offset .. offset + vocabulary.length): 1 for a word
 * present (binary) or its count; words outside the vocabulary are ignored.
 */
export function encodeText<T extends { [i: number]: number }>(vocabulary: readonly string[], value: unknown, binary: boolean, out: T, offset: number): void {
  const index = vocabularyIndex(vocabulary);
  for (let k = 0; k < vocabulary.length; k++) out[offset + k] = 0;
  for (const token of tokenize(value)) {
    const at = index.get(token);
    if (at === undefined) continue;
    out[offset + at] = binary ? 1 : out[offset + at]! + 1;
  }
}
