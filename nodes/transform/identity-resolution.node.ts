import { z } from "zod";
import { advanced, column, ConfigError, defineNode } from "../sdk";
import { BLOCK_TRANSFORMS, COMPARE_METHODS } from "./identity/sql";
import { UnionFind } from "./identity/union-find";
import {
  blockingSql,
  CLUSTER,
  compareColumns,
  goldenColumns,
  pairsSql,
  passLabel,
  POSITION,
  preparedSide,
  profilesSql,
  recordColumnTypes,
  recordsSql,
  rejectReservedNames,
  requireUniqueIds,
  resolveColumn,
  scoredPairsSql,
  SURVIVORSHIP_RULES,
  type SideInfo,
} from "./identity-resolution-sql";

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
    const sides: SideInfo[] = [{ side: "a", ref: inputs.a, byName: new Map(inputs.a.columns.map((c) => [c.name, c])), offset: 0 }];
    if (inputs.b) sides.push({ side: "b", ref: inputs.b, byName: new Map(inputs.b.columns.map((c) => [c.name, c])), offset: inputs.a.rows });
    const [A, B] = sides as [SideInfo, SideInfo | undefined];
    const cross = B !== undefined && !cfg.linkWithin;

    // ---- Check the configuration against the inputs.
    for (const s of sides) rejectReservedNames(s);
    const ids = sides.map((s) => resolveColumn(s, cfg.idColumn, cfg.idColumnB, "idColumn"));
    const prepared = sides.map((s, i) => preparedSide(ctx.datasets, s, ids[i]!, cfg.blocking, cfg.comparisons));
    const compares = compareColumns(cfg.comparisons);
    const recordTypes = recordColumnTypes(sides);
    const golden = goldenColumns(ctx.datasets, sides, recordTypes, cfg.survivorship);

    for (const [i, s] of sides.entries()) await requireUniqueIds(ctx, s, ids[i]!);
    ctx.signal.throwIfAborted();

    // ---- Blocking: candidate pairs from each pass, united without duplicates.
    const blocking = blockingSql(prepared, B !== undefined, cfg.blocking, cross);
    const labels = cfg.blocking.map((pass, p) => `${p + 1}. ${passLabel(pass.keys)}`);

    // Guard: count the pairs each pass would produce before making any.
    ctx.progress(0.05, "Counting candidate pairs");
    const [est] = await ctx.datasets.query<Record<string, unknown>>(blocking.estimate);
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
    const scoredPairs = await ctx.datasets.create(scoredPairsSql(ctx.datasets, blocking, compares, cfg.threshold));
    const [counts] = await ctx.datasets.query<Record<string, unknown>>(blocking.counts);
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

    // ---- Records, golden records (one per profile) and pairs.
    ctx.progress(0.7, "Writing records and golden records");
    const records = await ctx.datasets.create(recordsSql(ctx.datasets, sides, ids, recordTypes, pairs));
    const profiles = await ctx.datasets.create(profilesSql(ctx.datasets, golden, records));
    const pairsOut = await ctx.datasets.create(pairsSql(ctx.datasets, compares, pairs, records));
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
