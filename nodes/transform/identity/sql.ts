// SQL expressions for identity resolution: value normalisation, blocking keys and field
// similarities. Pure string builders: every column name goes through `ident`, every constant
// through `literal` or is a number this module writes itself.

export type Quote = (name: string) => string;

export const COMPARE_METHODS = ["exact", "jaro_winkler", "levenshtein", "date", "postcode"] as const;
export type CompareMethod = (typeof COMPARE_METHODS)[number];

export const BLOCK_TRANSFORMS = ["exact", "soundex", "prefix", "year"] as const;
export type BlockTransform = (typeof BLOCK_TRANSFORMS)[number];

const TEMPORAL = /^(DATE|TIMESTAMP.*)$/i;

/** Date formats tried on text, in order; day-first only with separators, never month-first. */
const DATE_FORMATS = ["%Y%m%d", "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"];
const FORMAT_LIST = `[${DATE_FORMATS.map((f) => `'${f}'`).join(", ")}]`;

/** Text for comparing: lower case, spaces trimmed and collapsed; empty text is NULL. */
export function normText(col: string): string {
  return `nullif(lower(trim(regexp_replace(CAST(${col} AS VARCHAR), '\\s+', ' ', 'g'))), '')`;
}

/** A timestamp from a DATE/TIMESTAMP column, or from text in one of the usual layouts; NULL otherwise. */
export function parseDate(col: string, type: string): string {
  if (TEMPORAL.test(type)) return `CAST(${col} AS TIMESTAMP)`;
  const t = normText(col);
  return `coalesce(TRY_CAST(${t} AS TIMESTAMP), try_strptime(${t}, ${FORMAT_LIST}))`;
}

/** A date as YYYYMMDD digits: from the parsed date, else the digits of the text (so a typo'd date still compares). */
export function dateDigits(col: string, type: string): string {
  if (TEMPORAL.test(type)) return `strftime(CAST(${col} AS TIMESTAMP), '%Y%m%d')`;
  return `coalesce(strftime(${parseDate(col, type)}, '%Y%m%d'), nullif(regexp_replace(${normText(col)}, '[^0-9]', '', 'g'), ''))`;
}

/** A postcode or zip: letters and digits only, lower case. */
export function postcodeKey(col: string): string {
  return `nullif(regexp_replace(${normText(col)}, '[^0-9a-z]', '', 'g'), '')`;
}

// American Soundex. Codes of the 24 letters other than h and w (which translate() then drops).
const LETTERS = "abcdefgijklmnopqrstuvxyzhw";
const CODES = "012301202245501262301202";

/**
 * American Soundex of already normalised (lower-case) text, e.g. robert → R163, ashcraft → A261:
 * the first letter, then the codes of the others with h/w dropped, runs of one code collapsed
 * (the first letter's own code included), vowels (0) removed, padded to 3 digits.
 */
export function soundex(norm: string): string {
  const letters = `regexp_replace(${norm}, '[^a-z]', '', 'g')`;
  // The first letter's code: an h or w gets 9, a code no other letter has, so it collapses with nothing.
  let codes = `translate(left(${letters}, 1), '${LETTERS}', '${CODES}99') || translate(substr(${letters}, 2), '${LETTERS}', '${CODES}')`;
  for (const d of "123456") codes = `regexp_replace(${codes}, '${d}+', '${d}', 'g')`;
  return `CASE WHEN ${letters} = '' THEN NULL ELSE upper(left(${letters}, 1)) || left(rpad(replace(substr(${codes}, 2), '0', ''), 3, '0'), 3) END`;
}

/** The value a blocking key compares; NULL never matches anything. */
export function blockKey(col: string, type: string, transform: BlockTransform, length: number): string {
  switch (transform) {
    case "exact":
      return normText(col);
    case "prefix":
      return `nullif(left(${normText(col)}, ${Math.floor(length)}), '')`;
    case "soundex":
      return soundex(normText(col));
    case "year":
      return `year(${parseDate(col, type)})`;
  }
}

/** The normalised value a comparison method works on. */
export function compareValue(col: string, type: string, method: CompareMethod): string {
  switch (method) {
    case "date":
      return dateDigits(col, type);
    case "postcode":
      return postcodeKey(col);
    default:
      return normText(col);
  }
}

/**
 * Similarity between 0 and 1 of two normalised values; NULL when either is missing, so the field
 * is left out of the score rather than counted as a mismatch.
 */
export function similarity(l: string, r: string, method: CompareMethod): string {
  const missing = `${l} IS NULL OR ${r} IS NULL`;
  switch (method) {
    case "exact":
      return `CASE WHEN ${missing} THEN NULL WHEN ${l} = ${r} THEN 1.0 ELSE 0.0 END`;
    case "jaro_winkler":
      return `CASE WHEN ${missing} THEN NULL ELSE jaro_winkler_similarity(${l}, ${r}) END`;
    case "levenshtein":
      return `CASE WHEN ${missing} THEN NULL ELSE 1.0 - levenshtein(${l}, ${r}) / greatest(length(${l}), length(${r}))::DOUBLE END`;
    case "date":
      // Same day 1; day and month swapped 0.8; one typing slip in YYYYMMDD (a digit wrong, two swapped) 0.7.
      return (
        `CASE WHEN ${missing} THEN NULL WHEN ${l} = ${r} THEN 1.0 ` +
        `WHEN length(${l}) = 8 AND length(${r}) = 8 AND left(${l}, 4) = left(${r}, 4) AND substr(${l}, 5, 2) = substr(${r}, 7, 2) AND substr(${l}, 7, 2) = substr(${r}, 5, 2) THEN 0.8 ` +
        `WHEN damerau_levenshtein(${l}, ${r}) <= 1 THEN 0.7 ELSE 0.0 END`
      );
    case "postcode":
      // Same code 1; one typing slip 0.6; otherwise 0.
      return `CASE WHEN ${missing} THEN NULL WHEN ${l} = ${r} THEN 1.0 WHEN damerau_levenshtein(${l}, ${r}) <= 1 THEN 0.6 ELSE 0.0 END`;
  }
}
