// Which rows of a scored table a model is measured on. model.score writes a part column:
// "training" (the model learnt from the row), "held out" (kept aside when it was trained) or "new"
// (never seen). Measuring on training rows flatters a model, so the insight nodes measure on the
// rows it did not learn from unless told to use every row, and say which rows they used.
import { z } from "zod";
import { advanced, column, DataError, type DatasetRef, type NodeContext } from "../sdk";

export const scopeFields = {
  measureOn: advanced(
    z
      .enum(["held out", "all rows"])
      .default("held out")
      .describe(
        'held out: only rows the model did not learn from (part "held out" or "new"), the fair measure. all rows: every row, training rows included, which flatters the model.',
      ),
  ),
  partColumn: advanced(
    column(z.string().min(1))
      .default("part")
      .describe('Column saying which part of the model\'s training each row was in ("training", "held out", "new"), as Score with model writes it. Without it every row is used.'),
  ),
};

export interface Scope {
  /** SQL condition picking the rows to measure (TRUE for all). */
  where: string;
  /** Plain words for the figures: "1,409 held-out rows". */
  measuredOn: string;
  /** Extra figures: rows left out, or training rows included. */
  figures: Record<string, unknown>;
}

const count = new Intl.NumberFormat("en-US");
const rowsWord = (n: number) => `${count.format(n)} ${n === 1 ? "row" : "rows"}`;

/** Parts a row the model learnt from can carry: model.score writes "training", model.train-uplift "train". */
const LEARNT = ["training", "train"];

/**
 * The rows to measure, among those where `valid` holds (label and score present). DataError when
 * measuring held-out rows and there are none.
 */
export async function measureScope(ctx: NodeContext, ref: DatasetRef, cfg: { measureOn: "held out" | "all rows"; partColumn: string }, valid: string): Promise<Scope> {
  const { ident, literal } = ctx.datasets;
  const from = (r: DatasetRef) => ctx.datasets.from(r);
  const partCol = ref.columns.find((c) => c.name === cfg.partColumn);
  if (!partCol) {
    const [row] = await ctx.datasets.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${from(ref)} WHERE ${valid}`);
    return {
      where: "TRUE",
      measuredOn: `all ${rowsWord(Number(row!.n))} (the table has no "${cfg.partColumn}" column saying which rows trained the model)`,
      figures: {},
    };
  }
  const part = `CAST(${ident(cfg.partColumn)} AS VARCHAR)`;
  const byPart = await ctx.datasets.query<{ p: string | null; n: unknown }>(`SELECT ${part} AS p, count(*) AS n FROM ${from(ref)} WHERE ${valid} GROUP BY p`);
  const n = (p: string | null) => byPart.filter((r) => r.p === p).reduce((s, r) => s + Number(r.n), 0);
  const learnt = LEARNT.reduce((s, p) => s + n(p), 0);
  const heldOut = n("held out");
  const fresh = n("new");
  const unknown = byPart.reduce((s, r) => s + Number(r.n), 0) - learnt - heldOut - fresh;
  if (cfg.measureOn === "all rows") {
    const total = learnt + heldOut + fresh + unknown;
    return {
      where: "TRUE",
      measuredOn: `all ${rowsWord(total)}${learnt ? `, ${count.format(learnt)} of which the model learnt from (the figures flatter it)` : ""}`,
      figures: { trainingRowsIncluded: learnt },
    };
  }
  if (heldOut + fresh === 0) {
    throw new DataError(
      `No row of the table was held out from the model's training (column "${cfg.partColumn}": ${count.format(learnt)} training, ${count.format(unknown)} unknown); ` +
        'measure on rows the model has not seen, or set "Measure on" to all rows (the figures will flatter the model)',
      { where: cfg.partColumn },
    );
  }
  const measuredOn =
    heldOut && fresh
      ? `${rowsWord(heldOut + fresh)} the model did not learn from (${count.format(heldOut)} held out, ${count.format(fresh)} new)`
      : heldOut
        ? `${count.format(heldOut)} held-out ${heldOut === 1 ? "row" : "rows"}`
        : `${count.format(fresh)} new ${fresh === 1 ? "row" : "rows"}`;
  return {
    where: `${part} IN (${literal("held out")}, ${literal("new")})`,
    measuredOn,
    figures: { trainingRowsLeftOut: learnt, ...(unknown ? { unknownRowsLeftOut: unknown } : {}) },
  };
}
