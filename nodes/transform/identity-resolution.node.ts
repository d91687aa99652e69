import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode, type Column, type DatasetRef, type NodeContext } from "../sdk";
import { BLOCK_TRANSFORMS, blockKey, COMPARE_METHODS, compareValue, parseDate, similarity, type BlockTransform, type CompareMethod } from "./identity/sql";
import { UnionFind } from "./identity/union-find";

// DuckDB's virtual column giving a row's position in the Parquet file: the stable "input order".
const POSITION = "file_row_number";
// Output columns this node adds to the records, and working columns inside its queries.
const PROFILE = "profile_id";
const SOURCE = "source";
const RECORD = "record_id";
const KEY = "__lw_k";
const CLUSTER = "__lw_cluster";
const RESERVED = [POSITION, PROFILE, SOURCE, RECORD, KEY, CLUSTER];
const PROFILE_FIXED = [PROFILE, "record_count", "record_ids"];

const columnB = (what: string) => column(z.string()).optional().describe(`The ${what} in input B, when it has another name there. Empty: the same name as in A.`);

const blockingKey = z.object({
  column: column(z.string().min(1)).describe("Column whose values must agree."),
  columnB: columnB("column"),
  transform: z
    .enum(BLOCK_TRANSFORMS)
    .default("exact")
    .describe(
      "How the values must agree. exact: the same text (upper/lower case and spaces ignored). soundex: they sound alike (Smith, Smyth). " +
        "prefix: the same first letters. year: the same year of a date.",
    ),
  length: z.number().int().min(1).max(50).default(3).describe("prefix: how many first letters must agree."),
});

const comparison = z.object({
  column: column(z.string().min(1)).describe("Column to compare."),
  columnB: columnB("column"),
  method: z
    .enum(COMPARE_METHODS)
    .default("jaro_winkler")
    .describe(
      "exact: identical text. jaro_winkler: similar spelling, forgiving typos; best for names. levenshtein: the share of characters that need no edit; for ids and numbers. " +
        "date: the same day, with part credit for day and month swapped or one mistyped digit. postcode: the same code, with part credit for one mistyped character.",
    ),
  weight: z.number().positive().default(1).describe("How much this field counts in the score, relative to the other fields."),
});

const SURVIVORSHIP_RULES = ["mostRecent", "mostFrequent", "firstNonNull"] as const;
const survivorshipRule = z.object({
  column: column(z.string().min(1)).describe("Column of the golden record."),
  columnB: columnB("column"),
  rule: z
    .enum(SURVIVORSHIP_RULES)
    .default("firstNonNull")
    .describe(
      "Which record's value wins. mostRecent: the one from the record with the latest date in Date column. mostFrequent: the value most of the records have. " +
        "firstNonNull: the first record that has a value (input A before input B, then in input order). Empty values never win.",
    ),
  dateColumn: column(z.string()).optional().describe("mostRecent: the column with each record's date, e.g. the last update."),
  dateColumnB: columnB("date column"),
  outputName: z.string().optional().describe("Name of the column in the profiles output. Empty: the column's name."),
});

const config = z.object({
  idColumn: column(z.string().min(1)).describe("Column that identifies a record in input A, e.g. a customer number. Its values must be unique."),
  idColumnB: columnB("id column"),
  blocking: z
    .array(z.object({ keys: z.array(blockingKey).min(1).describe("Values that must all agree for two records to be compared in this pass.") }))
    .min(1)
    .describe(
      "Which records are compared at all: each pass compares the records that agree on all of its keys, and a pair found by any pass is compared. " +
        "Several passes on different keys find records where one key has a typo, while keeping the comparisons few.",
    ),
  comparisons: z
    .array(comparison)
    .min(1)
    .describe("The fields compared for each pair. The score is the weighted average of their similarities, from 0 to 1; a field empty on either side is left out."),
  threshold: advanced(z.number().min(0).max(1).default(0.8).describe("Pairs scoring at least this (0 to 1) describe the same person: higher finds fewer, surer matches.")),
  linkWithin: z
    .boolean()
    .default(false)
    .describe("With input B connected: also link records within A and within B (duplicates inside one input). With only input A, that is what the node does."),
  survivorship: advanced(
    z
      .array(survivorshipRule)
      .default([])
      .describe("The columns of the golden records and how each value is chosen. Empty: every column, its first non-empty value."),
  ),
  maxCandidatePairs: advanced(
    z
      .number()
      .int()
      .min(1)
      .default(20_000_000)
      .describe("Stop with an error when the blocking passes would compare more pairs than this. A key many records share (a state, a gender) needs another key beside it."),
  ),
});
type Config = z.output<typeof config>;

type Side = "a" | "b";

interface SideInfo {
  side: Side;
  ref: DatasetRef;
  byName: Map<string, Column>;
  /** Added to the row position to get the record's key: A's records first, then B's. */
  offset: number;
}

interface Compare {
  method: CompareMethod;
  weight: number;
  /** Output column holding this field's similarity in the pairs. */
  simName: string;
}

function sideName(side: Side) {
  return side === "a" ? "A" : "B";
}

/** The column a setting names in one input (columnB on B when given), checked to exist. */
function resolveColumn(info: SideInfo, column: string, columnB: string | undefined, field: string): Column {
  const name = info.side === "b" && columnB ? columnB : column;
  const col = info.byName.get(name);
  if (!col) throw new ConfigError(`Identity resolution: no column "${name}" in input ${sideName(info.side)}`, { field: info.side === "b" && columnB ? `${field}B` : field });
  return col;
}

async function requireUniqueIds(ctx: NodeContext, info: SideInfo, id: Column): Promise<void> {
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

function passLabel(keys: Config["blocking"][number]["keys"]): string {
  return keys.map((k) => (k.transform === "exact" ? k.column : k.transform === "prefix" ? `prefix${k.length}(${k.column})` : `${k.transform}(${k.column})`)).join(" + ");
}

export default defineNode({
  type: "transform.identity-resolution",
  version: 1,
  kind: "transform",
  label: "Resolve identities",
  description:
    "Find the records that describe the same person, within one table or across two (a CRM and a shop, say), even with typos and missing values. " +
    "Gives every record a profile id, one merged record per person (the golden record), and the matched pairs with how alike they are.",
  inputs: { a: "table", b: { type: "table", optional: true } },
  outputs: { records: "table", profiles: "table", pairs: "table" },
  config,
  // Linking large tables takes longer than the transform default of 30 minutes.
  activity: { startToCloseTimeout: "2 hours" },
  async run({ config: cfg, inputs, ctx }) {
    const ident = (name: string) => ctx.datasets.ident(name);
    const sides: SideInfo[] = [{ side: "a", ref: inputs.a, byName: new Map(inputs.a.columns.map((c) => [c.name, c])), offset: 0 }];
    if (inputs.b) sides.push({ side: "b", ref: inputs.b, byName: new Map(inputs.b.columns.map((c) => [c.name, c])), offset: inputs.a.rows });
    const [A, B] = sides as [SideInfo, SideInfo | undefined];
    const cross = B !== undefined && !cfg.linkWithin;

    // ---- Check the configuration against the inputs.
    for (const s of sides) {
      // DuckDB matches column names ignoring case, so "Source" clashes with "source" too.
      for (const name of s.byName.keys()) {
        const r = RESERVED.find((x) => x.toLowerCase() === name.toLowerCase());
        if (r) throw new ConfigError(`Identity resolution: input ${sideName(s.side)} has a column named "${name}", which clashes with the column "${r}" this node adds; rename it first`, { field: s.side });
      }
    }
    const ids = sides.map((s) => resolveColumn(s, cfg.idColumn, cfg.idColumnB, "idColumn"));

    // Per side: the blocking keys and comparison values, computed once per record.
    const prepared = sides.map((s) => {
      const fields: string[] = [];
      cfg.blocking.forEach((pass, p) =>
        pass.keys.forEach((k, j) => {
          const col = resolveColumn(s, k.column, k.columnB, `blocking.${p}.keys.${j}.column`);
          fields.push(`${blockKey(ident(col.name), col.type, k.transform as BlockTransform, k.length)} AS b${p}_${j}`);
        }),
      );
      cfg.comparisons.forEach((c, i) => {
        const col = resolveColumn(s, c.column, c.columnB, `comparisons.${i}.column`);
        fields.push(`${compareValue(ident(col.name), col.type, c.method as CompareMethod)} AS c${i}`);
      });
      const idCol = ids[s.side === "a" ? 0 : 1]!;
      return `SELECT ${POSITION} + ${s.offset} AS k, '${s.side}' AS src, CAST(${ident(idCol.name)} AS VARCHAR) AS id, ${fields.join(", ")} FROM ${ctx.datasets.fromWithPosition(s.ref)}`;
    });

    const used = new Set<string>();
    const compares: Compare[] = cfg.comparisons.map((c) => {
      let simName = `sim_${c.column}`;
      if (used.has(simName)) simName = `sim_${c.column}_${c.method}`;
      for (let n = 2; used.has(simName); n++) simName = `sim_${c.column}_${c.method}_${n}`;
      used.add(simName);
      return { method: c.method as CompareMethod, weight: c.weight, simName };
    });

    // Golden-record columns, resolved against the records output (A's columns, then B's new ones).
    const recordTypes = new Map<string, string>();
    for (const s of sides) for (const c of s.ref.columns) recordTypes.set(c.name, recordTypes.has(c.name) && recordTypes.get(c.name) !== c.type ? "VARCHAR" : c.type);
    const rules = cfg.survivorship.length
      ? cfg.survivorship
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

    for (const [i, s] of sides.entries()) await requireUniqueIds(ctx, s, ids[i]!);
    ctx.signal.throwIfAborted();

    // ---- Blocking: candidate pairs from each pass, united without duplicates.
    const withSides = `WITH sa AS (${prepared[0]})${B ? `, sb AS (${prepared[1]})` : ""}, su AS (SELECT * FROM sa${B ? " UNION ALL SELECT * FROM sb" : ""})`;
    const [left, right] = cross ? ["sa", "sb"] : ["su", "su"];
    const passSql = cfg.blocking.map((pass, p) => {
      const on = pass.keys.map((_, j) => `l.b${p}_${j} = r.b${p}_${j}`).join(" AND ");
      return `SELECT l.k AS lk, r.k AS rk FROM ${left} l JOIN ${right} r ON ${on}${cross ? "" : " WHERE l.k < r.k"}`;
    });
    const labels = cfg.blocking.map((pass, p) => `${p + 1}. ${passLabel(pass.keys)}`);

    // Guard: count the pairs each pass would produce before making any.
    const estimates = cfg.blocking.map((pass, p) => {
      const keys = pass.keys.map((_, j) => `b${p}_${j}`);
      const notNull = keys.map((k) => `${k} IS NOT NULL`).join(" AND ");
      const groups = (t: string) => `SELECT ${keys.join(", ")}, count(*) AS n FROM ${t} WHERE ${notNull} GROUP BY ALL`;
      return cross
        ? `(SELECT coalesce(sum(x.n * y.n), 0) FROM (${groups("sa")}) x JOIN (${groups("sb")}) y ON ${keys.map((k) => `x.${k} = y.${k}`).join(" AND ")})`
        : `(SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (${groups("su")}))`;
    });
    ctx.progress(0.05, "Counting candidate pairs");
    const [est] = await ctx.datasets.query<Record<string, unknown>>(`${withSides} SELECT ${estimates.map((e, p) => `CAST(${e} AS DOUBLE) AS p${p}`).join(", ")}`);
    const perPass = cfg.blocking.map((_, p) => Number(est![`p${p}`]));
    const total = perPass.reduce((a, b) => a + b, 0);
    if (total > cfg.maxCandidatePairs) {
      const worst = perPass.indexOf(Math.max(...perPass));
      throw new ConfigError(
        `Identity resolution: blocking would compare ${total.toLocaleString("en-US")} pairs, more than the limit of ${cfg.maxCandidatePairs.toLocaleString("en-US")}; ` +
          `pass ${labels[worst]} alone gives ${perPass[worst]!.toLocaleString("en-US")}. Add a key to that pass or use a more specific one`,
        { field: `blocking.${worst}.keys` },
      );
    }
    ctx.signal.throwIfAborted();

    // ---- Scoring: per-field similarities and the weighted average, kept when it reaches the threshold.
    ctx.progress(0.15, "Comparing candidate pairs");
    const cand = `cand AS (${passSql.join(" UNION ")})`;
    const sims = compares.map((c, i) => `CAST(${similarity(`l.c${i}`, `r.c${i}`, c.method)} AS DOUBLE) AS ${ident(c.simName)}`).join(", ");
    const num = compares.map((c) => `coalesce(${ident(c.simName)} * ${c.weight}, 0)`).join(" + ");
    const den = compares.map((c) => `CASE WHEN ${ident(c.simName)} IS NULL THEN 0 ELSE ${c.weight} END`).join(" + ");
    const scoredPairs = await ctx.datasets.create(
      `${withSides}, ${cand}
       SELECT lk, rk, left_source, left_id, right_source, right_id, (${num}) / nullif(${den}, 0) AS score, ${compares.map((c) => ident(c.simName)).join(", ")}
       FROM (SELECT cand.lk, cand.rk, l.src AS left_source, l.id AS left_id, r.src AS right_source, r.id AS right_id, ${sims}
             FROM cand JOIN ${left} l ON l.k = cand.lk JOIN ${right} r ON r.k = cand.rk)
       WHERE (${num}) / nullif(${den}, 0) >= ${cfg.threshold}
       ORDER BY lk, rk`,
    );
    const [counts] = await ctx.datasets.query<Record<string, unknown>>(
      `${withSides}, ${cand} SELECT (SELECT count(*) FROM cand) AS total, ${passSql.map((s, p) => `(SELECT count(*) FROM (${s})) AS p${p}`).join(", ")}`,
    );
    ctx.signal.throwIfAborted();

    // ---- Clusters: connected components of the matched pairs (union-find over the pairs only).
    ctx.progress(0.6, `Grouping ${scoredPairs.rows} matched pairs`);
    const uf = new UnionFind();
    const ends: number[] = [];
    for await (const batch of ctx.datasets.batches<{ lk: number; rk: number }>(`SELECT lk, rk FROM ${ctx.datasets.fromWithPosition(scoredPairs)} ORDER BY ${POSITION}`)) {
      for (const p of batch) {
        uf.union(Number(p.lk), Number(p.rk));
        ends.push(Number(p.lk));
      }
    }
    const clusterOf = ends.map((k) => uf.label(k));
    const pairs = await ctx.datasets.addColumn(scoredPairs, { name: CLUSTER, type: "BIGINT" }, clusterOf);
    const { components, largest } = uf.stats();

    // ---- Records: every input record with its profile id, A's then B's, in input order.
    // The profile id hashes the smallest member (source:id), so it does not depend on row order.
    ctx.progress(0.7, "Writing records and golden records");
    const recordSelect = sides.map((s, i) => {
      const cols = s.ref.columns.map((c) => (recordTypes.get(c.name) !== c.type ? `CAST(${ident(c.name)} AS VARCHAR) AS ${ident(c.name)}` : ident(c.name)));
      return `SELECT ${POSITION} + ${s.offset} AS ${KEY}, '${s.side}' AS ${ident(SOURCE)}, CAST(${ident(ids[i]!.name)} AS VARCHAR) AS ${ident(RECORD)}, ${cols.join(", ")} FROM ${ctx.datasets.fromWithPosition(s.ref)}`;
    });
    const records = await ctx.datasets.create(
      `WITH recs AS (${recordSelect.join(" UNION ALL BY NAME ")}),
            members AS (SELECT lk AS k, ${CLUSTER} AS c FROM ${ctx.datasets.from(pairs)} UNION SELECT rk, ${CLUSTER} FROM ${ctx.datasets.from(pairs)}),
            lab AS (SELECT recs.*, coalesce(members.c, recs.${KEY}) AS ${CLUSTER} FROM recs LEFT JOIN members ON members.k = recs.${KEY})
       SELECT 'p_' || left(sha256(min(${ident(SOURCE)} || ':' || ${ident(RECORD)}) OVER (PARTITION BY ${CLUSTER})), 16) AS ${ident(PROFILE)}, * EXCLUDE (${KEY}, ${CLUSTER})
       FROM lab ORDER BY ${KEY}`,
    );

    // ---- Golden records: one per profile, each column by its survivorship rule.
    const rs = `r AS (SELECT ${ident(PROFILE)} AS pid, ${POSITION} AS pos, ${ident(SOURCE)} || ':' || ${ident(RECORD)} AS rid, ${golden
      .map((g, i) => `${g.v} AS v${i}${g.d ? `, ${g.d} AS d${i}` : ""}`)
      .join(", ")} FROM ${ctx.datasets.fromWithPosition(records)})`;
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
    const profiles = await ctx.datasets.create(
      `WITH ${rs},
            m AS (SELECT pid, min(pos) AS first_pos, count(*) AS record_count, list(rid ORDER BY pos) AS record_ids${mains.map((x) => (x ? `, ${x}` : "")).join("")} FROM r GROUP BY pid)
            ${frequent.map((f) => `, ${f}`).join("")}
       SELECT m.pid AS ${ident(PROFILE)}, m.record_count, m.record_ids, ${golden.map((g, i) => `${g.rule === "mostFrequent" ? `f${i}` : "m"}.g${i} AS ${ident(g.out)}`).join(", ")}
       FROM m ${golden.map((g, i) => (g.rule === "mostFrequent" ? `LEFT JOIN f${i} ON f${i}.pid = m.pid` : "")).join(" ")}
       ORDER BY m.first_pos`,
    );

    // ---- Pairs: with the profile they belong to.
    const pairsOut = await ctx.datasets.create(
      `SELECT rec.${ident(PROFILE)}, p.left_source, p.left_id, p.right_source, p.right_id, p.score, ${compares.map((c) => `p.${ident(c.simName)}`).join(", ")}
       FROM ${ctx.datasets.fromWithPosition(pairs)} p JOIN (SELECT ${POSITION} AS k, ${ident(PROFILE)} FROM ${ctx.datasets.fromWithPosition(records)}) rec ON rec.k = p.lk
       ORDER BY p.${POSITION}`,
    );
    ctx.progress(1, `${profiles.rows} profiles from ${records.rows} records`);

    return {
      outputs: { records, profiles, pairs: pairsOut },
      metrics: {
        recordsA: A.ref.rows,
        ...(B ? { recordsB: B.ref.rows } : {}),
        candidatePairs: Number(counts!.total),
        matchedPairs: scoredPairs.rows,
        clusters: components,
        largestProfile: Math.max(largest, records.rows ? 1 : 0),
        profiles: profiles.rows,
        candidatesByPass: Object.fromEntries(labels.map((l, p) => [l, Number(counts![`p${p}`])])),
      },
    };
  },
});
