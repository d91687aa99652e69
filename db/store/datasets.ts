// Dataset records: one row per immutable Parquet file in the shared folder (content-addressed, so
// the same rows written twice are one record).
import { count, desc, eq } from "drizzle-orm";
import { NotFound } from "../../lib/errors";
import type { Store } from "./handle";

export type DatasetRow = Store["t"]["datasets"]["$inferSelect"];

export function record(s: Store, row: Omit<DatasetRow, "createdAt">): Promise<void> {
  return s.use(async (q) => {
    await q
      .insert(s.t.datasets)
      .values({ ...row, createdAt: Date.now() })
      .onConflictDoNothing();
  });
}

/** Newest first. */
export function list(s: Store, limit = 200) {
  return s.use(async (q) => {
    const { datasets } = s.t;
    return q.select().from(datasets).orderBy(desc(datasets.createdAt), desc(datasets.id)).limit(limit);
  });
}

export function get(s: Store, id: string): Promise<DatasetRow> {
  return s.use(async (q) => {
    const [row] = await q.select().from(s.t.datasets).where(eq(s.t.datasets.id, id));
    if (!row) throw new NotFound(`No dataset "${id}"`);
    return row;
  });
}

export function total(s: Store): Promise<number> {
  return s.use(async (q) => (await q.select({ n: count() }).from(s.t.datasets))[0]?.n ?? 0);
}
