// Uploaded files: stored in the shared folder's uploads/, described by DuckDB when received.
import { desc, eq } from "drizzle-orm";
import { NotFound } from "../../lib/errors";
import type { Store } from "./handle";

export type FileRow = Store["t"]["files"]["$inferSelect"];

export function record(s: Store, row: Omit<FileRow, "createdAt"> & { createdAt?: number }): Promise<FileRow> {
  return s.use(async (q) => {
    const [saved] = await q
      .insert(s.t.files)
      .values({ ...row, createdAt: row.createdAt ?? Date.now() })
      .returning();
    return saved!;
  });
}

/** Newest first. */
export function list(s: Store): Promise<FileRow[]> {
  return s.use(async (q) => {
    const { files } = s.t;
    return q.select().from(files).orderBy(desc(files.createdAt), desc(files.id));
  });
}

/** NotFound names the id: `where` says which config field asked for it. */
export function get(s: Store, id: string): Promise<FileRow> {
  return s.use(async (q) => {
    const [row] = await q.select().from(s.t.files).where(eq(s.t.files.id, id));
    if (!row) throw new NotFound(`No uploaded file with id "${id}"`);
    return row;
  });
}
