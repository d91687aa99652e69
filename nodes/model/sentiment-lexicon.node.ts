import { z } from "zod";
import { advanced, column, ConfigError, defineNode } from "../sdk";
import { valueTypeOf } from "../transform/expression";
import { lexicon, lexiconValuesSql, NEGATORS, scoreType, tokensSql } from "./sentiment/lexicon";

const TOKENS = "__loopwright_tokens";

const config = z
  .object({
    text: column(z.string().min(1)).describe("The column holding the text to score, such as a review, a survey answer or an email reply."),
    negation: advanced(
      z
        .boolean()
        .default(true)
        .describe("A word right after not, don't, can't, isn't, won't or doesn't counts the other way (\"not good\" is negative), as the sentiment package does."),
    ),
    words: z
      .array(
        z.object({
          word: z.string().regex(/^\S+$/, "one word, without spaces").describe("A word, in any case."),
          score: z.number().min(-10).max(10).describe("Its value: -5 very negative to +5 very positive, as in AFINN."),
        }),
      )
      .default([])
      .describe("Words to add to AFINN or to score differently for your business, e.g. refund -2 or cheap +1."),
    scoreColumn: advanced(z.string().min(1).default("score").describe("New column: the sum of the word values (AFINN scores words from -5 to +5).")),
    comparativeColumn: advanced(z.string().min(1).default("comparative").describe("New column: the score divided by the number of words, so long and short texts compare.")),
    labelColumn: advanced(z.string().min(1).default("label").describe("New column: negative when the comparative score is below 0, otherwise positive.")),
  })
  .superRefine((c, issue) => {
    const names = [c.scoreColumn, c.comparativeColumn, c.labelColumn];
    if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) {
      issue.addIssue({ code: "custom", path: ["labelColumn"], message: "The score, comparative and label columns need three different names" });
    }
  });

export default defineNode({
  type: "model.sentiment-lexicon",
  version: 1,
  kind: "model",
  label: "Sentiment (AFINN)",
  description:
    "Tell whether texts (reviews, survey answers, e-mail replies) sound positive or negative, with a ready-made list of word values (AFINN), no training needed: each word counts from -5 to +5, the score is their sum, the comparative score is the score per word, and the label is negative when that is below zero. The same method as the sentiment npm package.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    const { ident, literal } = ctx.datasets;
    const text = ref.columns.find((c) => c.name === cfg.text);
    if (!text) throw new ConfigError(`No column "${cfg.text}" in the input (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field: "text" });
    if (valueTypeOf(text.type) !== "text") throw new ConfigError(`Column "${cfg.text}" holds ${text.type}, not text`, { field: "text" });
    const taken = new Set(ref.columns.map((c) => c.name.toLowerCase()));
    for (const field of ["scoreColumn", "comparativeColumn", "labelColumn"] as const) {
      if (taken.has(cfg[field].toLowerCase())) {
        throw new ConfigError(`The input already has a column "${cfg[field]}"; choose another name`, { field });
      }
    }
    if (taken.has(TOKENS)) throw new ConfigError(`The input has a column named "${TOKENS}", which this node needs for itself`, { field: "text" });

    const words = lexicon(cfg.words);
    const type = scoreType(words);
    const negators = `[${NEGATORS.map(literal).join(", ")}]`;
    const value = cfg.negation ? `CASE WHEN pos > 1 AND list_contains(${negators}, toks[pos - 1]) THEN -lex.value ELSE lex.value END` : "lex.value";
    const score = `CAST(coalesce(hits.score, 0) AS ${type})`;
    const comparative = `CASE WHEN len(${TOKENS}) = 0 THEN 0.0 ELSE CAST(coalesce(hits.score, 0) AS DOUBLE) / len(${TOKENS}) END`;

    ctx.progress(null, "Scoring texts");
    const out = await ctx.datasets.create(
      `WITH lex AS (${lexiconValuesSql(ctx.datasets, words)}),
            src AS (SELECT *, ${tokensSql(ctx.datasets, ident(text.name))} AS ${TOKENS} FROM ${ctx.datasets.fromWithPosition(ref)}),
            positions AS (SELECT file_row_number AS rn, ${TOKENS} AS toks, unnest(range(1, len(${TOKENS}) + 1)) AS pos FROM src WHERE ${TOKENS} IS NOT NULL),
            hits AS (SELECT rn, sum(${value}) AS score FROM positions JOIN lex ON lex.word = toks[pos] GROUP BY rn)
       SELECT src.* EXCLUDE (file_row_number, ${TOKENS}),
              CASE WHEN ${TOKENS} IS NOT NULL THEN ${score} END AS ${ident(cfg.scoreColumn)},
              CASE WHEN ${TOKENS} IS NOT NULL THEN ${comparative} END AS ${ident(cfg.comparativeColumn)},
              CASE WHEN ${TOKENS} IS NULL THEN NULL WHEN ${comparative} < 0 THEN 'negative' ELSE 'positive' END AS ${ident(cfg.labelColumn)}
         FROM src LEFT JOIN hits ON hits.rn = src.file_row_number
        ORDER BY src.file_row_number`,
    );
    ctx.signal.throwIfAborted();

    const src = ctx.datasets.from(out);
    const [s] = await ctx.datasets.query<Record<string, number | null>>(
      `SELECT count(*) FILTER (WHERE ${ident(cfg.labelColumn)} = 'positive') AS positive, count(*) FILTER (WHERE ${ident(cfg.labelColumn)} = 'negative') AS negative,
              count(*) FILTER (WHERE ${ident(cfg.labelColumn)} IS NULL) AS without_text,
              avg(${ident(cfg.scoreColumn)}) AS mean_score, avg(${ident(cfg.comparativeColumn)}) AS mean_comparative FROM ${src}`,
    );
    const scored = Number(s!.positive) + Number(s!.negative);
    return {
      outputs: { rows: out },
      metrics: {
        rows: out.rows,
        positive: Number(s!.positive),
        negative: Number(s!.negative),
        rowsWithoutText: Number(s!.without_text),
        positiveShare: scored ? Number(s!.positive) / scored : null,
        meanScore: s!.mean_score === null ? null : Number(s!.mean_score),
        meanComparative: s!.mean_comparative === null ? null : Number(s!.mean_comparative),
        lexiconWords: words.size,
        negation: cfg.negation,
      },
    };
  },
});
