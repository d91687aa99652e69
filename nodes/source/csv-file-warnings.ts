// Silent traps in a CSV file as DuckDB reads it, told in the CSV source's metrics (warnings):
//  - a column of numbers read as text because a few cells are blank or not numbers (Telco's
//    TotalCharges: 11 cells holding one space), so sums, filters and sorting treat it as text;
//  - a column of Yes/No words read as true/false, so a filter on "Yes" finds nothing.
// Each warning names the column, counts the cells and says how to fix it in the node's settings.
import type { DatasetRef, NodeContext } from "../sdk";

/** A column counts as numbers when at least this share of its filled cells read as numbers. */
const NUMERIC_SHARE = 0.9;
const MIN_NUMBERS = 5;
const EXAMPLES = 3;

const count = new Intl.NumberFormat("en-US");
const quote = (v: string) => JSON.stringify(v);

function listed(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * Text columns whose filled cells are nearly all numbers. `nullStrings`: the node's setting (the
 * fix adds to it); `typed`: columns the user gave a type, which are left alone.
 */
export async function numericTextWarnings(ctx: NodeContext, ref: DatasetRef, nullStrings: readonly string[] | undefined, typed: ReadonlySet<string>): Promise<string[]> {
  const { ident } = ctx.datasets;
  const text = ref.columns.filter((c) => /^VARCHAR$/i.test(c.type) && !typed.has(c.name));
  if (!text.length || ref.rows === 0) return [];
  const parts = text.flatMap((c, i) => {
    const v = ident(c.name);
    const bad = `${v} IS NOT NULL AND TRY_CAST(trim(${v}) AS DOUBLE) IS NULL`;
    return [
      `count(${v}) AS filled${i}`,
      `count(*) FILTER (WHERE ${bad}) AS bad${i}`,
      `count(*) FILTER (WHERE ${bad} AND trim(${v}) = '') AS blank${i}`,
      // Distinct odd values, each with how often it occurs, most frequent first.
      `list(DISTINCT ${v}) FILTER (WHERE ${bad}) AS odd${i}`,
    ];
  });
  const [row] = await ctx.datasets.query<Record<string, unknown>>(`SELECT ${parts.join(", ")} FROM ${ctx.datasets.from(ref)}`);
  const warnings: string[] = [];
  for (const [i, c] of text.entries()) {
    const filled = Number(row![`filled${i}`]);
    const bad = Number(row![`bad${i}`]);
    const blank = Number(row![`blank${i}`]);
    const numbers = filled - bad;
    if (bad === 0 || numbers < MIN_NUMBERS || numbers < NUMERIC_SHARE * filled) continue;
    const odd = ((row![`odd${i}`] as unknown[] | null) ?? []).map(String).sort();
    const blanks = odd.filter((v) => v.trim() === "");
    const words = odd.filter((v) => v.trim() !== "");
    const what =
      blank === bad
        ? `${count.format(bad)} of ${count.format(filled)} filled cells are blank (${blanks.map(quote).join(", ")})`
        : `${count.format(bad)} of ${count.format(filled)} filled cells are not numbers (${blank ? `${count.format(blank)} blank, ` : ""}e.g. ${words.slice(0, EXAMPLES).map(quote).join(", ")})`;
    // Every odd value as a no-value string (the default, the empty field, kept) makes the column numbers.
    const fix =
      odd.length <= 10
        ? `add ${odd.map(quote).join(", ")} to Null strings (${[...new Set([...(nullStrings ?? [""]), ...odd])].map(quote).join(", ")}) so those cells read as empty and the column as numbers`
        : `add the values that mean "no value" to Null strings`;
    warnings.push(
      `${c.name} looks numeric but was read as text: ${what}. Sums, filters and sorting treat it as text; to fix, ${fix}, or convert it with a Select / rename / cast node (cells that do not convert go to its Rejects output).`,
    );
  }
  return warnings;
}

/**
 * Columns DuckDB read as true/false whose cells say Yes/No (or Y/N) in the file. `rawSql`: a
 * FROM expression reading the file with those columns as text.
 */
export async function yesNoWarnings(ctx: NodeContext, ref: DatasetRef, rawSql: (asText: readonly string[]) => string, typed: ReadonlySet<string>): Promise<string[]> {
  const booleans = ref.columns.filter((c) => /^BOOLEAN$/i.test(c.type) && !typed.has(c.name)).map((c) => c.name);
  if (!booleans.length) return [];
  const { ident } = ctx.datasets;
  const [row] = await ctx.datasets.query<Record<string, unknown>>(
    `SELECT ${booleans.map((c, i) => `list(DISTINCT lower(trim(${ident(c)}))) FILTER (WHERE ${ident(c)} IS NOT NULL) AS v${i}`).join(", ")} FROM ${rawSql(booleans)}`,
  );
  const yesNo = booleans.filter((_, i) => {
    const values = ((row![`v${i}`] as unknown[] | null) ?? []).map(String);
    return values.length > 0 && values.every((v) => ["yes", "no", "y", "n"].includes(v));
  });
  if (!yesNo.length) return [];
  const one = yesNo.length === 1;
  return [
    `${listed(yesNo)} ${one ? "holds" : "hold"} Yes/No in the file and ${one ? "was" : "were"} read as true/false: filters and joins must use true/false, not "Yes" (a filter on "Yes" finds nothing), and the data shows true/false. ` +
      `To keep the words, set ${one ? "its" : "their"} type to text in Types.`,
  ];
}
