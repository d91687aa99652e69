import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { z } from "zod";
import { column, ConfigError, defineNode, type DatasetStore } from "../sdk";
import { blankSql, checkNoPositionColumn, familyWords, freeName, POSITION, requireColumn, textPairsSql, trimSql, typeFamily, type TypeFamily } from "./sql-helpers";

const LABEL = "Standardise values";

const OPERATIONS = ["trim", "lower case", "upper case", "title case", "collapse spaces", "normalise email", "phone to E.164", "date to ISO", "empty to null"] as const;
type Operation = (typeof OPERATIONS)[number];
/** Each of these decides what the column is; a column takes at most one. */
const KINDS: readonly Operation[] = ["normalise email", "phone to E.164", "date to ISO"];

export const DEFAULT_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"];

/** A plausible address: something@domain.tld, no spaces, one @, a top-level domain of two letters or more. */
const EMAIL_PATTERN = "[^@\\s\"(),:;<>\\[\\]\\\\]+@[^@\\s.]+(\\.[^@\\s.]+)*\\.[^@\\s.\\d]{2,}";

/** Distinct phone values are mapped in JS; up to this many ride along in the SQL, more go to a helper dataset first. */
const INLINE_MAPPING = 20_000;

const config = z.object({
  columns: z
    .array(
      z.object({
        column: column(z.string().min(1)).describe("The column to clean."),
        operations: z
          .array(z.enum(OPERATIONS))
          .min(1)
          .describe(
            "Applied in order. normalise email = trim, lower case, empty to missing; phone to E.164 = +441632960983 form, unreadable numbers become empty; date to ISO = read the formats below and store dates (YYYY-MM-DD), unreadable dates become empty; empty to null = blank text becomes a missing value.",
          ),
        country: z
          .string()
          .optional()
          .describe("For phone numbers written without a +country code: the country they are from, as a two-letter code (GB, US, DE). Empty: only +numbers are read."),
        dateFormats: z
          .array(z.string().min(1))
          .optional()
          .describe(
            "For dates: the ways they are written, tried in order: %d day, %m month number, %b month name (Mar), %B full month name, %Y year, %H:%M:%S time. E.g. %d/%m/%Y for 15/03/2024, %m/%d/%Y for 03/15/2024. Empty: ISO (2024-03-15) and other unambiguous forms.",
          ),
        flagInvalidEmails: z
          .boolean()
          .default(false)
          .describe("With normalise email: add a yes/no column <column>_invalid_email saying which addresses do not look like e-mail addresses."),
      }),
    )
    .min(1)
    .describe("The columns to clean and how."),
});

type Entry = z.output<typeof config>["columns"][number];

function titleCaseSql(ds: DatasetStore, x: string): string {
  // Words are split at spaces and hyphens; each starts upper case, the rest lower case.
  const parts = `regexp_extract_all(lower(${x}), ${ds.literal("[\\s\\x{A0}-]+|[^\\s\\x{A0}-]+")})`;
  return `array_to_string(list_transform(${parts}, lambda w: upper(w[1]) || w[2:]), '')`;
}

function countryOf(entry: Entry, i: number): CountryCode | undefined {
  const raw = entry.country?.trim().toUpperCase();
  if (!raw) return undefined;
  const code = raw === "UK" ? "GB" : raw;
  if (!isSupportedCountry(code)) {
    throw new ConfigError(`${LABEL}: "${entry.country}" is not a country code phone numbers know; use two letters like GB, US or DE`, { field: `columns.${i}.country` });
  }
  return code;
}

/** E.164 for a phone number as written, or null when it is not a valid number. */
export function toE164(text: string, country: CountryCode | undefined): string | null {
  const parsed = parsePhoneNumberFromString(text, country ? { defaultCountry: country } : undefined);
  return parsed && parsed.isValid() ? parsed.number : null;
}

export default defineNode({
  type: "transform.standardise",
  version: 1,
  kind: "transform",
  label: LABEL,
  description:
    "Clean text column by column: trim and collapse spaces, change case, normalise e-mail addresses, write phone numbers in one international form (E.164, like +441632960983), read dates written in several ways, turn blanks into missing values.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const ds = ctx.datasets;
    const { ident, literal } = ds;

    const cols = cfg.columns.map((c, i) => requireColumn(input, c.column, `columns.${i}.column`, LABEL));
    checkNoPositionColumn(input, LABEL, "columns");
    const listed = new Map<string, number>();
    cfg.columns.forEach((c, i) => {
      if (listed.has(c.column)) throw new ConfigError(`${LABEL}: column "${c.column}" is listed twice; put all its operations in one entry`, { field: `columns.${i}.column` });
      listed.set(c.column, i);
    });

    // Check each column's operations against what the column holds at that point.
    const taken = new Set(input.columns.map((c) => c.name.toLowerCase()));
    const flags = new Map<string, string>();
    const countries: (CountryCode | undefined)[] = [];
    for (const [i, entry] of cfg.columns.entries()) {
      const at = `columns.${i}`;
      const kinds = entry.operations.filter((op) => KINDS.includes(op));
      if (kinds.length > 1) {
        throw new ConfigError(`${LABEL}: column "${entry.column}" can be an e-mail, a phone number or a date, not several (${kinds.join(", ")})`, {
          field: `${at}.operations`,
        });
      }
      let family: TypeFamily = typeFamily(cols[i]!.type);
      entry.operations.forEach((op, j) => {
        const ok =
          op === "phone to E.164" ? family === "text" || family === "integer" : op === "date to ISO" ? family === "text" || family === "date" || family === "timestamp" : family === "text";
        if (!ok) {
          const after = j > 0 ? ` after "${entry.operations[j - 1]}"` : "";
          throw new ConfigError(`${LABEL}: "${op}" cannot work on column "${entry.column}", which holds ${familyWords(family)}${after}`, {
            field: `${at}.operations.${j}`,
          });
        }
        family = op === "date to ISO" ? "date" : "text";
      });
      countries[i] = countryOf(entry, i);
      if (entry.flagInvalidEmails) {
        if (!entry.operations.includes("normalise email")) {
          throw new ConfigError(`${LABEL}: flagging invalid e-mails needs the "normalise email" operation on column "${entry.column}"`, {
            field: `${at}.flagInvalidEmails`,
          });
        }
        const flag = `${entry.column}_invalid_email`;
        if (taken.has(flag.toLowerCase())) throw new ConfigError(`${LABEL}: the output already has a column "${flag}"; rename it first`, { field: `${at}.flagInvalidEmails` });
        taken.add(flag.toLowerCase());
        flags.set(entry.column, flag);
      }
      if (entry.operations.includes("date to ISO")) {
        const formats = entry.dateFormats?.length ? entry.dateFormats : DEFAULT_DATE_FORMATS;
        for (const [k, f] of formats.entries()) {
          try {
            await ds.query(`SELECT try_strptime('', ${literal(f)}) AS t`);
          } catch (err) {
            throw new ConfigError(`${LABEL}: "${f}" is not a date format (use %d, %m, %Y, %b, %B, %H, %M, %S)`, { field: `${at}.dateFormats.${k}`, cause: err });
          }
        }
      }
    }

    // One layer per operation, each a SELECT over the one before: plain SQL for text work, a join
    // with a mapping of the distinct values for phone numbers (computed here, in JS).
    let sql = `SELECT * FROM ${ds.fromWithPosition(input)}`;
    const metrics: Record<string, Record<string, number>> = {};
    const depth = Math.max(...cfg.columns.map((c) => c.operations.length));
    for (let step = 0; step < depth; step++) {
      for (const [i, entry] of cfg.columns.entries()) {
        const op = entry.operations[step];
        if (!op) continue;
        ctx.signal.throwIfAborted();
        const x = ident(entry.column);
        const family = typeFamily(step === 0 ? cols[i]!.type : "VARCHAR");
        const replace = (expr: string) => (sql = `SELECT * REPLACE (${expr} AS ${x}) FROM (${sql})`);
        switch (op) {
          case "trim":
            replace(trimSql(ds, x));
            break;
          case "lower case":
            replace(`lower(${x})`);
            break;
          case "upper case":
            replace(`upper(${x})`);
            break;
          case "title case":
            replace(titleCaseSql(ds, x));
            break;
          case "collapse spaces":
            replace(`regexp_replace(${x}, ${literal("[\\s\\x{A0}]+")}, ' ', 'g')`);
            break;
          case "normalise email":
            replace(`nullif(lower(${trimSql(ds, x)}), '')`);
            break;
          case "empty to null":
            replace(`CASE WHEN ${blankSql(ds, x)} THEN NULL ELSE ${x} END`);
            break;
          case "date to ISO": {
            if (family === "date" || family === "timestamp") {
              replace(`CAST(${x} AS DATE)`);
              break;
            }
            const formats = entry.dateFormats?.length ? entry.dateFormats : DEFAULT_DATE_FORMATS;
            const parsed = `CAST(try_strptime(${trimSql(ds, x)}, [${formats.map(literal).join(", ")}]) AS DATE)`;
            const [row] = await ds.query<{ n: number }>(`SELECT count(*) AS n FROM (${sql}) WHERE ${x} IS NOT NULL AND NOT ${blankSql(ds, x)} AND ${parsed} IS NULL`);
            (metrics[entry.column] ??= {}).datesNotRecognised = Number(row!.n);
            replace(parsed);
            break;
          }
          case "phone to E.164": {
            const key = family === "integer" ? `CAST(${x} AS VARCHAR)` : x;
            const pairs: [string, string | null][] = [];
            let failed = 0;
            ctx.progress(null, `Reading phone numbers in ${entry.column}`);
            for await (const batch of ds.batches<{ k: string; n: number }>(`SELECT ${key} AS k, count(*) AS n FROM (${sql}) WHERE ${x} IS NOT NULL GROUP BY ALL`)) {
              ctx.signal.throwIfAborted();
              for (const { k, n } of batch) {
                const e164 = k.trim() === "" ? null : toE164(k, countries[i]);
                if (e164 === null && k.trim() !== "") failed += Number(n);
                pairs.push([k, e164]);
              }
              ctx.progress(null, `Read ${pairs.length} distinct phone numbers in ${entry.column}`);
            }
            (metrics[entry.column] ??= {}).phonesNotRecognised = failed;
            const mapping = await mappingSql(ds, pairs);
            const m = ident(freeName("_phone_map", input.columns.map((c) => c.name)));
            sql = `SELECT p.* REPLACE (${m}.v AS ${x}) FROM (${sql}) p LEFT JOIN ${mapping} ${m} ON ${m}.k = ${family === "integer" ? `CAST(p.${x} AS VARCHAR)` : `p.${x}`}`;
            break;
          }
        }
      }
    }

    const looksLikeEmail = (expr: string) => `regexp_full_match(${expr}, ${literal(EMAIL_PATTERN)})`;
    const selects: string[] = [];
    for (const c of input.columns) {
      selects.push(ident(c.name));
      const flag = flags.get(c.name);
      if (flag) selects.push(`coalesce(NOT ${looksLikeEmail(ident(c.name))}, false) AS ${ident(flag)}`);
    }
    ctx.signal.throwIfAborted();
    const out = await ds.create(`SELECT ${selects.join(", ")} FROM (${sql}) ORDER BY ${ident(POSITION)}`);

    const emails = cfg.columns.filter((c) => c.operations.includes("normalise email"));
    if (emails.length) {
      const [row] = await ds.query<Record<string, number>>(
        `SELECT ${emails.map((c, k) => `count(*) FILTER (WHERE ${ident(c.column)} IS NOT NULL AND NOT ${looksLikeEmail(ident(c.column))}) AS e${k}`).join(", ")} FROM ${ds.from(out)}`,
      );
      emails.forEach((c, k) => ((metrics[c.column] ??= {}).invalidEmails = Number(row![`e${k}`])));
    }
    return { outputs: { rows: out }, metrics: { rowsIn: input.rows, rowsOut: out.rows, columns: metrics } };
  },
});

/** The (value, E.164) pairs as a FROM-clause source: inline when small, else a helper dataset read by later steps. */
async function mappingSql(ds: DatasetStore, pairs: [string, string | null][]): Promise<string> {
  if (pairs.length <= INLINE_MAPPING) return textPairsSql(ds, pairs);
  const ref = await ds.create(`SELECT * FROM ${textPairsSql(ds, pairs)}`);
  return `(SELECT k, v FROM ${ds.from(ref)})`;
}
