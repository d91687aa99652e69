// Datasets: files people uploaded (CSV, JSON) and the Parquet tables runs produced, with a preview
// of the first rows through DuckDB. SQL only ever contains paths from our own tables, as literals.
import { access } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { viewDataset, type ViewColumn } from "../../../db/dataset-query";
import { datasets, files, type Store } from "../../../db/store";
import { viewSpecSchema } from "../../../lib/dataset-view";
import { NotFound } from "../../../lib/errors";
import { dataDir, sharedDir } from "../../../lib/paths";
import { runDataset } from "../../services/dataset-downloads";
import { queryUpload } from "../../services/uploads";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

const PREVIEW_ROWS = 100;

type Column = { name: string; type: string };

export interface Preview {
  columns: Column[];
  rows: Record<string, unknown>[];
  totalRows: number;
}

/**
 * Makes a DuckDB value safe for superjson: nested bigints become numbers when exact, blobs a
 * short description (a byte array would arrive as an object of indices).
 */
function cell(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(cell);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cell(v)]));
}

const cells = (rows: Record<string, unknown>[]) => rows.map((r) => cell(r) as Record<string, unknown>);

async function present(file: string, what: string): Promise<void> {
  try {
    await access(file);
  } catch {
    throw new NotFound(`${what} is recorded but its file is missing from the shared folder`);
  }
}

export interface DatasetView {
  id: string;
  /** Identifiers first, then model outputs, then the rest. */
  columns: ViewColumn[];
  rows: Record<string, unknown>[];
  /** Rows in the whole dataset, and those matching the view's filters and search. */
  totalRows: number;
  matchingRows: number;
  offset: number;
}

async function previewFile(id: string, store: Store): Promise<Preview> {
  const row = await files.get(store, id);
  const abs = path.resolve(sharedDir(), row.path);
  await present(abs, `${row.name} (${id})`);
  // In a child process, like describing an upload: a file that crashes DuckDB costs this request only.
  const queries = (src: string) => [
    // Files uploaded before uploads were described have no columns or count yet.
    ...(row.columns ? [] : [`DESCRIBE SELECT * FROM ${src}`]),
    ...(row.rows === null ? [`SELECT count(*)::BIGINT AS n FROM ${src}`] : []),
    `SELECT * FROM ${src} LIMIT ${PREVIEW_ROWS}`,
  ];
  const results = await queryUpload(dataDir(), abs, row.name, queries);
  const rows = results.pop()!;
  const columns = row.columns ?? results.shift()!.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  const totalRows = row.rows ?? Number(results.shift()![0]!.n);
  return { columns, rows: cells(rows), totalRows };
}

export const datasetRouter = createTRPCRouter({
  /** Uploaded files, newest first. */
  files: viewerProcedure.query(async ({ ctx }) => (await files.list(ctx.store)).map(({ path: _path, ...file }) => file)),

  /** Parquet tables written by runs, newest first. */
  list: viewerProcedure.input(z.object({ limit: z.number().int().min(1).max(1000).default(200) }).optional()).query(async ({ ctx, input }) =>
    (await datasets.list(ctx.store, input?.limit ?? 200)).map((d) => ({
      id: d.id,
      rows: d.rows,
      bytes: d.bytes,
      columnCount: Array.isArray(d.columns) ? d.columns.length : 0,
      runId: d.runId,
      nodeId: d.nodeId,
      createdAt: d.createdAt,
    })),
  ),

  /** The first rows of an uploaded file (`file_…`) or a run's dataset (`ds_…`), with every column's type. */
  preview: editorProcedure.input(z.object({ id: z.string().min(1).max(200) })).query(async ({ ctx, input }): Promise<Preview> => {
    if (input.id.startsWith("file_")) return previewFile(input.id, ctx.store);
    if (!input.id.startsWith("ds_")) throw new NotFound(`No uploaded file or dataset with id "${input.id}"`);
    const { row, ref, data: store } = await runDataset(ctx.store, input.id);
    const [columns, rows] = await Promise.all([store.schema(ref), store.preview(ref, PREVIEW_ROWS)]);
    return { columns, rows: cells(rows), totalRows: row.rows };
  }),

  /**
   * A run's dataset (`ds_…`) sorted, filtered and searched over all its rows in DuckDB: a page of
   * the matching rows (100 unless `limit` says otherwise), how many match, and the columns in the
   * order to show them. Unknown columns and number comparisons on text are refused by name.
   */
  view: editorProcedure
    .input(
      z.object({
        id: z.string().min(1).max(200),
        view: viewSpecSchema.default({ filters: [], search: "" }),
        limit: z.number().int().min(1).max(1000).default(PREVIEW_ROWS),
        offset: z.number().int().min(0).default(0),
      }),
    )
    .query(async ({ ctx, input }): Promise<DatasetView> => {
      const { row, ref, data } = await runDataset(ctx.store, input.id);
      const page = await viewDataset(data, ref, input.view, { limit: input.limit, offset: input.offset });
      return { id: row.id, columns: page.columns, rows: cells(page.rows), totalRows: row.rows, matchingRows: page.matchingRows, offset: input.offset };
    }),
});
