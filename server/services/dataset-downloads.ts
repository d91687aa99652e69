// A run's dataset for the preview and the download route: looked up by id, its file checked, and
// downloads written by DuckDB to a temporary file that is streamed and gone once sent.
import { createReadStream } from "node:fs";
import { open, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { exportDataset } from "../../db/dataset-query";
import { ParquetDatasetStore } from "../../db/dataset-store";
import { datasets, type Store } from "../../db/store";
import type { DatasetRow } from "../../db/store/datasets";
import { safeFileStem, type DownloadFormat, type ViewSpec } from "../../lib/dataset-view";
import { NotFound } from "../../lib/errors";
import { sharedDir } from "../../lib/paths";
import type { DatasetRef } from "../../nodes/sdk/types";

export interface RunDataset {
  row: DatasetRow;
  ref: DatasetRef;
  data: ParquetDatasetStore;
}

/** A run's dataset (`ds_…`); NotFound, naming it, when unknown or when its file is gone. */
export async function runDataset(store: Store, id: string): Promise<RunDataset> {
  if (!id.startsWith("ds_")) throw new NotFound(`No dataset with id "${id}"`);
  const row = await datasets.get(store, id);
  const dir = sharedDir();
  const data = new ParquetDatasetStore(dir, store);
  const ref: DatasetRef = { kind: "table", id: row.id, path: row.path, rows: row.rows, columns: row.columns };
  const file = data.absolutePath(ref);
  // The path comes from the database; it must still point into the shared folder.
  const inside = !path.relative(dir, file).startsWith("..");
  if (!inside || !(await stat(file).then((s) => s.isFile(), () => false))) throw new NotFound(`Dataset ${row.id} is recorded but its file is missing from the shared folder`);
  return { row, ref, data };
}

export interface Download {
  body: ReadableStream<Uint8Array>;
  bytes: number;
  fileName: string;
  contentType: string;
}

const BOM = Buffer.from("\uFEFF", "utf8");

async function* prefixed(first: Buffer, rest: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  yield first;
  yield* rest;
}

/**
 * The dataset as CSV or Parquet: with `spec`, the rows the view shows in its order (columns as
 * shown); without, the whole dataset as stored (a Parquet download is then the stored file
 * itself). CSV starts with a UTF-8 byte order mark, for Excel. `name` (a node's or flow's name)
 * makes the file name.
 */
export async function datasetDownload(d: RunDataset, format: DownloadFormat, spec: ViewSpec | undefined, name?: string): Promise<Download> {
  const stem = safeFileStem(name || d.row.nodeId || d.row.id) + (spec ? "-view" : "");
  const fileName = `${stem}.${format}`;
  const contentType = format === "csv" ? "text/csv; charset=utf-8" : "application/vnd.apache.parquet";
  if (format === "parquet" && !spec) {
    const file = d.data.absolutePath(d.ref);
    const { size } = await stat(file);
    return { body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, bytes: size, fileName, contentType };
  }
  const tmp = await exportDataset(d.data, d.ref, format, spec);
  // Opened, then unlinked: the file lives as long as the stream reading it, however that ends.
  const handle = await open(tmp, "r");
  try {
    await unlink(tmp);
    const { size } = await handle.stat();
    const stream = handle.createReadStream() as AsyncIterable<Buffer> & Readable;
    const node = format === "csv" ? Readable.from(prefixed(BOM, stream)) : stream;
    return { body: Readable.toWeb(node) as ReadableStream<Uint8Array>, bytes: size + (format === "csv" ? BOM.length : 0), fileName, contentType };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Content-Disposition for a download: an ASCII name, and the same name as UTF-8 (RFC 6266). */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
