// The checks and queries of transform.identity-resolution: columns resolved per input, blocking,
// scoring, records, golden records and pairs. The node (identity-resolution.node.ts) runs them in
// order; the per-value expressions they use are in identity/sql.ts.
import { ConfigError, DataError, type Column, type DatasetRef, type DatasetStore, type NodeContext } from "../sdk";
import { blockKey, compareValue, parseDate, similarity, type BlockTransform, type CompareMethod } from "./identity/sql";

// DuckDB's virtual column giving a row's position in the Parquet file: the stable "input order".
export const POSITION = "file_row_number";
// Output columns this node adds to the records, and working columns inside its queries.
const PROFILE = "profile_id";
const SOURCE = "source";
const RECORD = "record_id";
const KEY = "__lw_k";
export const CLUSTER = "__lw_cluster";
const RESERVED = [POSITION, PROFILE, SOURCE, RECORD, KEY, CLUSTER];
const PROFILE_FIXED = [PROFILE, "record_count", "record_ids"];

export const SURVIVORSHIP_RULES = ["mostRecent", "mostFrequent", "firstNonNull"] as const;

// The parts of the node's config these functions read; the schema is in the node file.
interface BlockingKey {
  column: string;
  columnB?: string | undefined;
  transform: BlockTransform;
  length: number;
}
interface BlockingPass {
  keys: BlockingKey[];
}
interface Comparison {
  column: string;
  columnB?: string | undefined;
  method: CompareMethod;
  weight: number;
}
interface SurvivorshipRule {
  column: string;
  columnB?: string | undefined;
  rule: (typeof SURVIVORSHIP_RULES)[number];
  dateColumn?: string | undefined;
  dateColumnB?: string | undefined;
  outputName?: string | undefined;
}

type Side = "a" | "b";

export interface SideInfo {
  side: Side;
  ref: DatasetRef;
  byName: Map<string, Column>;
  /** Added to the row position to get the record's key: A's records first, then B's. */
  offset: number;
}

export interface Compare {
  method: CompareMethod;
  weight: number;
  /** Output column holding this field's similarity in the pairs. */
  simName: string;
}

/** A column of the golden records: its rule, output name, value expression and (mostRecent) date expression. */
export interface Golden {
  rule: SurvivorshipRule["rule"];
  out: string;
  v: string;
  d: string | undefined;
  field: string;
}

function sideName(side: Side) {
  return side === "a" ? "A" : "B";
}

/** Refuses an input with a column named like one this node adds. */
export function rejectReservedNames(s: SideInfo): void {
  // DuckDB matches column names ignoring case, so "Source" clashes with "source" too.
  for (const name of s.byName.keys()) {
    const r = RESERVED.find((x) => x.toLowerCase() === name.toLowerCase());
    if (r) throw new ConfigError(`Identity resolution: input ${sideName(s.side)} has a column named "${name}", which clashes with the column "${r}" this node adds; rename it first`, { field: s.side });
  }
}

/** The column a setting names in one input (columnB on B when given), checked to exist. */
export function resolveColumn(info: SideInfo, column: string, columnB: string | undefined, field: string): Column {
  const name = info.side === "b" && columnB ? columnB : column;
  const col = info.byName.get(name);
  if (!col) throw new ConfigError(`Identity resolution: no column "${name}" in input ${sideName(info.side)}`, { field: info.side === "b" && columnB ? `${field}B` : field });
  return col;
}

export async function requireUniqueIds(ctx: NodeContext, info: SideInfo, id: Column): Promise<void> {
  const q = ctx.datasets.ident(id.name);
  const [r] = await ctx.datasets.query<{ missing: number; dups: number; example: unknown }>(
    `SELECT count(*) - count(${q}) AS missing, count(${q}) - count(DISTINCT ${q}) AS dups,
            (SELECT CAST(${q} AS VARCHAR) FROM ${ctx.datasets.from(info.ref)} WHERE ${q} IS NOT NULL GROUP BY ${q} HAVING count(*) > 1 ORDER BY ${q} LIMIT 1) AS example
     FROM ${ctx.datasets.from(info.ref)}`,
  );
  const where = `input ${sideName(info.side)}, column ${id.name}`;
  if (Number(r!.missing) > 0) throw new DataError(`Identity resolution: ${r!.missing} record(s) of input ${sideName(info.side)} have no ${id.name}`, { where });
  if (Number(r!.dups) > 0) {
    throw new DataError(`Identity resolution: the id column ${id.name} of input ${sideName(info.side)} repeats values (e.g. "${r!.example}"); each record needs its own id`, { where });
  }
}

export function passLabel(keys: BlockingKey[]): string {
  return keys.map((k) => (k.transform === "exact" ? k.column : k.transform === "prefix" ? `prefix${k.length}(${k.column})` : `${k.transform}(${k.column})`)).join(" + ");
}

/** One input's records with their blocking keys and comparison values, computed once per record. */
export function preparedSide(ds: DatasetStore, s: SideInfo, idCol: Column, blocking: BlockingPass[], comparisons: Comparison[]): string {
  const ident = (name: string) => ds.ident(name);
  const fields: string[] = [];
  blocking.forEach((pass, p) =>
    pass.keys.forEach((k, j) => {
      const col = resolveColumn(s, k.column, k.columnB, `blocking.${p}.keys.${j}.column`);
      fields.push(`${blockKey(ident(col.name), col.type, k.transform, k.length)} AS b${p}_${j}`);
    }),
  );
  comparisons.forEach((c, i) => {
    const col = resolveColumn(s, c.column, c.columnB, `comparisons.${i}.column`);
    fields.push(`${compareValue(ident(col.name), col.type, c.method)} AS c${i}`);
  });
  return `SELECT ${POSITION} + ${s.offset} AS k, '${s.side}' AS src, CAST(${ident(idCol.name)} AS VARCHAR) AS id, ${fields.join(", ")} FROM ${ds.fromWithPosition(s.ref)}`;
}

/** The compared fields with the names of their similarity columns, made unique. */
export function compareColumns(comparisons: Comparison[]): Compare[] {
  const used = new Set<string>();
  return comparisons.map((c) => {
    let simName = `sim_${c.column}`;
    if (used.has(simName)) simName = `sim_${c.column}_${c.method}`;
    for (let n = 2; used.has(simName); n++) simName = `sim_${c.column}_${c.method}_${n}`;
    used.add(simName);
    return { method: c.method, weight: c.weight, simName };
  });
}

/** The records output's column types: A's columns, then B's new ones; a name typed differently in each becomes text. */
export function recordColumnTypes(sides: SideInfo[]): Map<string, string> {
  const recordTypes = new Map<string, string>();
  for (const s of sides) for (const c of s.ref.columns) recordTypes.set(c.name, recordTypes.has(c.name) && recordTypes.get(c.name) !== c.type ? "VARCHAR" : c.type);
  return recordTypes;
}

/** Golden-record columns, resolved against the records output; with no rules, every column's first non-empty value. */
export function goldenColumns(ds: DatasetStore, sides: SideInfo[], recordTypes: Map<string, string>, survivorship: SurvivorshipRule[]): Golden[] {
  const ident = (name: string) => ds.ident(name);
  const B = sides[1];
  const rules = survivorship.length
    ? survivorship
    : [...recordTypes.keys()].map((name) => ({ column: name, columnB: undefined, rule: "firstNonNull" as const, dateColumn: undefined, dateColumnB: undefined, outputName: undefined }));
  const golden = rules.map((r, i) => {
    const field = `survivorship.${i}`;
    const perSide = (name: string, nameB: string | undefined, what: string) => {
      const found = sides.map((s) => {
        const n = s.side === "b" && nameB ? nameB : name;
        return s.byName.has(n) ? { side: s.side, name: n, type: recordTypes.get(n)! } : undefined;
      });
      if (!found.some(Boolean)) throw new ConfigError(`Identity resolution: no column "${name}" in ${B ? "either input" : "the input"}`, { field: `${field}.${what}` });
      if (nameB && B && !B.byName.has(nameB)) throw new ConfigError(`Identity resolution: no column "${nameB}" in input B`, { field: `${field}.${what}B` });
      return found;
    };
    const values = perSide(r.column, r.columnB, "column");
    const asText = new Set(values.filter(Boolean).map((v) => v!.type)).size > 1;
    const value = (v: { name: string } | undefined) => (v ? (asText ? `CAST(${ident(v.name)} AS VARCHAR)` : ident(v.name)) : "NULL");
    const v = values.length === 1 ? value(values[0]) : `CASE WHEN ${ident(SOURCE)} = 'a' THEN ${value(values[0])} ELSE ${value(values[1])} END`;
    let d: string | undefined;
    if (r.rule === "mostRecent") {
      if (!r.dateColumn) throw new ConfigError(`Identity resolution: the mostRecent rule for "${r.column}" needs a date column`, { field: `${field}.dateColumn` });
      const dates = perSide(r.dateColumn, r.dateColumnB, "dateColumn");
      const date = (x: { name: string; type: string } | undefined) => (x ? parseDate(ident(x.name), x.type) : "NULL");
      d = dates.length === 1 ? date(dates[0]) : `CASE WHEN ${ident(SOURCE)} = 'a' THEN ${date(dates[0])} ELSE ${date(dates[1])} END`;
    }
    return { rule: r.rule, out: r.outputName?.trim() || r.column, v, d, field };
  });
  const outNames = new Set<string>(PROFILE_FIXED);
  for (const g of golden) {
    if (outNames.has(g.out)) throw new ConfigError(`Identity resolution: the profiles output would have two columns named "${g.out}"; set another output name`, { field: `${g.field}.outputName` });
    outNames.add(g.out);
  }
  return golden;
}

/** The blocking queries over the prepared inputs: the candidate pairs, their count per pass, and that count estimated before making any. */
export interface BlockingSql {
  withSides: string;
  left: string;
  right: string;
  cand: string;
  estimate: string;
  counts: string;
}

export function blockingSql(prepared: string[], hasB: boolean, blocking: BlockingPass[], cross: boolean): BlockingSql {
  // Candidate pairs from each pass, united without duplicates.
  const withSides = `WITH sa AS (${prepared[0]})${hasB ? `, sb AS (${prepared[1]})` : ""}, su AS (SELECT * FROM sa${hasB ? " UNION ALL SELECT * FROM sb" : ""})`;
  const [left, right] = cross ? ["sa", "sb"] : ["su", "su"];
  const passSql = blocking.map((pass, p) => {
    const on = pass.keys.map((_, j) => `l.b${p}_${j} = r.b${p}_${j}`).join(" AND ");
    return `SELECT l.k AS lk, r.k AS rk FROM ${left} l JOIN ${right} r ON ${on}${cross ? "" : " WHERE l.k < r.k"}`;
  });
  // The guard's estimate: the pairs each pass would produce, from group sizes alone.
  const estimates = blocking.map((pass, p) => {
    const keys = pass.keys.map((_, j) => `b${p}_${j}`);
    const notNull = keys.map((k) => `${k} IS NOT NULL`).join(" AND ");
    const groups = (t: string) => `SELECT ${keys.join(", ")}, count(*) AS n FROM ${t} WHERE ${notNull} GROUP BY ALL`;
    return cross
      ? `(SELECT coalesce(sum(x.n * y.n), 0) FROM (${groups("sa")}) x JOIN (${groups("sb")}) y ON ${keys.map((k) => `x.${k} = y.${k}`).join(" AND ")})`
      : `(SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (${groups("su")}))`;
  });
  const cand = `cand AS (${passSql.join(" UNION ")})`;
  return {
    withSides,
    left,
    right,
    cand,
    estimate: `${withSides} SELECT ${estimates.map((e, p) => `CAST(${e} AS DOUBLE) AS p${p}`).join(", ")}`,
    counts: `${withSides}, ${cand} SELECT (SELECT count(*) FROM cand) AS total, ${passSql.map((s, p) => `(SELECT count(*) FROM (${s})) AS p${p}`).join(", ")}`,
  };
}

/** Scoring: per-field similarities and the weighted average, kept when it reaches the threshold. */
export function scoredPairsSql(ds: DatasetStore, b: BlockingSql, compares: Compare[], threshold: number): string {
  const ident = (name: string) => ds.ident(name);
  const sims = compares.map((c, i) => `CAST(${similarity(`l.c${i}`, `r.c${i}`, c.method)} AS DOUBLE) AS ${ident(c.simName)}`).join(", ");
  const num = compares.map((c) => `coalesce(${ident(c.simName)} * ${c.weight}, 0)`).join(" + ");
  const den = compares.map((c) => `CASE WHEN ${ident(c.simName)} IS NULL THEN 0 ELSE ${c.weight} END`).join(" + ");
  return `${b.withSides}, ${b.cand}
       SELECT lk, rk, left_source, left_id, right_source, right_id, (${num}) / nullif(${den}, 0) AS score, ${compares.map((c) => ident(c.simName)).join(", ")}
       FROM (SELECT cand.lk, cand.rk, l.src AS left_source, l.id AS left_id, r.src AS right_source, r.id AS right_id, ${sims}
             FROM cand JOIN ${b.left} l ON l.k = cand.lk JOIN ${b.right} r ON r.k = cand.rk)
       WHERE (${num}) / nullif(${den}, 0) >= ${threshold}
       ORDER BY lk, rk`;
}

/**
 * Records: every input record with its profile id, A's then B's, in input order. The profile id
 * hashes the smallest member (source:id), so it does not depend on row order.
 */
export function recordsSql(ds: DatasetStore, sides: SideInfo[], ids: Column[], recordTypes: Map<string, string>, pairs: DatasetRef): string {
  const ident = (name: string) => ds.ident(name);
  const recordSelect = sides.map((s, i) => {
    const cols = s.ref.columns.map((c) => (recordTypes.get(c.name) !== c.type ? `CAST(${ident(c.name)} AS VARCHAR) AS ${ident(c.name)}` : ident(c.name)));
    return `SELECT ${POSITION} + ${s.offset} AS ${KEY}, '${s.side}' AS ${ident(SOURCE)}, CAST(${ident(ids[i]!.name)} AS VARCHAR) AS ${ident(RECORD)}, ${cols.join(", ")} FROM ${ds.fromWithPosition(s.ref)}`;
  });
  return `WITH recs AS (${recordSelect.join(" UNION ALL BY NAME ")}),
            members AS (SELECT lk AS k, ${CLUSTER} AS c FROM ${ds.from(pairs)} UNION SELECT rk, ${CLUSTER} FROM ${ds.from(pairs)}),
            lab AS (SELECT recs.*, coalesce(members.c, recs.${KEY}) AS ${CLUSTER} FROM recs LEFT JOIN members ON members.k = recs.${KEY})
       SELECT 'p_' || left(sha256(min(${ident(SOURCE)} || ':' || ${ident(RECORD)}) OVER (PARTITION BY ${CLUSTER})), 16) AS ${ident(PROFILE)}, * EXCLUDE (${KEY}, ${CLUSTER})
       FROM lab ORDER BY ${KEY}`;
}

/** Golden records: one per profile, each column by its survivorship rule. */
export function profilesSql(ds: DatasetStore, golden: Golden[], records: DatasetRef): string {
  const ident = (name: string) => ds.ident(name);
  const rs = `r AS (SELECT ${ident(PROFILE)} AS pid, ${POSITION} AS pos, ${ident(SOURCE)} || ':' || ${ident(RECORD)} AS rid, ${golden
    .map((g, i) => `${g.v} AS v${i}${g.d ? `, ${g.d} AS d${i}` : ""}`)
    .join(", ")} FROM ${ds.fromWithPosition(records)})`;
  const mains = golden.map((g, i) => {
    if (g.rule === "firstNonNull") return `arg_min(v${i}, pos) FILTER (WHERE v${i} IS NOT NULL) AS g${i}`;
    if (g.rule === "mostRecent") {
      // The latest date wins, the earlier record on a tie; with no dates at all, the first value.
      return `coalesce(arg_max(v${i}, struct_pack(d := d${i}, o := -pos)) FILTER (WHERE v${i} IS NOT NULL AND d${i} IS NOT NULL), arg_min(v${i}, pos) FILTER (WHERE v${i} IS NOT NULL)) AS g${i}`;
    }
    return undefined;
  });
  const frequent = golden.flatMap((g, i) =>
    g.rule === "mostFrequent"
      ? [`f${i} AS (SELECT pid, arg_max(v, struct_pack(n := n, o := -o)) AS g${i} FROM (SELECT pid, v${i} AS v, count(*) AS n, min(pos) AS o FROM r WHERE v${i} IS NOT NULL GROUP BY ALL) GROUP BY pid)`]
      : [],
  );
  return `WITH ${rs},
            m AS (SELECT pid, min(pos) AS first_pos, count(*) AS record_count, list(rid ORDER BY pos) AS record_ids${mains.map((x) => (x ? `, ${x}` : "")).join("")} FROM r GROUP BY pid)
            ${frequent.map((f) => `, ${f}`).join("")}
       SELECT m.pid AS ${ident(PROFILE)}, m.record_count, m.record_ids, ${golden.map((g, i) => `${g.rule === "mostFrequent" ? `f${i}` : "m"}.g${i} AS ${ident(g.out)}`).join(", ")}
       FROM m ${golden.map((g, i) => (g.rule === "mostFrequent" ? `LEFT JOIN f${i} ON f${i}.pid = m.pid` : "")).join(" ")}
       ORDER BY m.first_pos`;
}

/** Pairs: the matched pairs with the profile they belong to, in the order they were scored. */
export function pairsSql(ds: DatasetStore, compares: Compare[], pairs: DatasetRef, records: DatasetRef): string {
  const ident = (name: string) => ds.ident(name);
  return `SELECT rec.${ident(PROFILE)}, p.left_source, p.left_id, p.right_source, p.right_id, p.score, ${compares.map((c) => `p.${ident(c.simName)}`).join(", ")}
       FROM ${ds.fromWithPosition(pairs)} p JOIN (SELECT ${POSITION} AS k, ${ident(PROFILE)} FROM ${ds.fromWithPosition(records)}) rec ON rec.k = p.lk
       ORDER BY p.${POSITION}`;
}
