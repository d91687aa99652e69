// Customer ids in a cohort's dataset, and the rows of chosen customers: what the journey steps
// (entry rules, waits) share.
import type { DatasetRef, NodeContext } from "../sdk";
import { POSITION, trimSql } from "../transform/sql-helpers";

const BATCH = 10_000;
const TAG = "__loopwright_keep";

const idSql = (ctx: NodeContext, col: string) => `NULLIF(${trimSql(ctx.datasets, `CAST(${ctx.datasets.ident(col)} AS VARCHAR)`)}, '')`;

/** The input's rows for which `keep` says yes, by customer id (in input order). */
export async function rowsWhere(ctx: NodeContext, input: DatasetRef, customerId: string, keep: (id: string | null) => boolean): Promise<DatasetRef> {
  const ds = ctx.datasets;
  const mark = new Uint8Array(input.rows);
  for await (const batch of ds.batches<{ pos: bigint | number; id: string | null }>(`SELECT ${POSITION} AS pos, ${idSql(ctx, customerId)} AS id FROM ${ds.fromWithPosition(input)}`, BATCH)) {
    for (const r of batch) if (keep(r.id)) mark[Number(r.pos)] = 1;
  }
  const tagged = await ds.addColumns(input, [{ name: TAG, type: "BOOLEAN", values: mark }]);
  return ds.create(`SELECT * EXCLUDE (${TAG}) FROM ${ds.from(tagged)} WHERE ${TAG}`);
}

/** The distinct customer ids of a dataset's column, and how many rows had none. */
export async function customerIds(ctx: NodeContext, input: DatasetRef, customerId: string): Promise<{ ids: string[]; withoutId: number }> {
  const ids = new Set<string>();
  let withoutId = 0;
  for await (const batch of ctx.datasets.batches<{ id: string | null }>(`SELECT ${idSql(ctx, customerId)} AS id FROM ${ctx.datasets.from(input)}`, BATCH)) {
    for (const r of batch) {
      if (r.id === null) withoutId++;
      else ids.add(r.id);
    }
  }
  return { ids: [...ids], withoutId };
}
