// Uploaded files: streamed to <data dir>/uploads/ (0600) with a byte limit, checked for nesting
// (JSON), described by DuckDB (rows, columns) in a child process and recorded in the `files` table.
// The web upload route and the CLI both come here, so every stored file has been read once by the
// engine that will read it in a flow, without that engine running inside the web server.
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { duckdbTempDirectory, sqlLiteral } from "../../db/duckdb";
import { files, type Store } from "../../db/store";
import { AppError } from "../../lib/errors";
import { FILE_MODE, privateDir } from "../../lib/paths";
import { JsonDepthGuard, MAX_JSON_DEPTH, tooDeepMessage } from "./json-depth";
import { ReaderCrashed, ReaderTimedOut, runReader, type ReaderOptions } from "./reader-process";
import { formatBytes } from "../../lib/format-bytes";

export interface FileColumn {
  name: string;
  type: string;
}

export interface UploadedFile {
  id: string;
  name: string;
  bytes: number;
  rows: number;
  columns: FileColumn[];
  format: "csv" | "json";
  createdAt: number;
}

/** A refusal the uploader can act on: 400 (wrong kind of file, unreadable) or 413 (too large). */
export class UploadError extends AppError {
  constructor(
    message: string,
    readonly status: 400 | 413,
  ) {
    super(status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", message);
  }
}

const READERS = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".txt": "csv",
  ".json": "json",
  ".ndjson": "ndjson",
  ".jsonl": "ndjson",
} as const;

export const ACCEPTED_EXTENSIONS = Object.keys(READERS);

type Reader = (typeof READERS)[keyof typeof READERS];

const DEFAULT_MAX_MB = 200;
const LIMIT_HINT = "set LOOPWRIGHT_MAX_UPLOAD_MB to change it";

/** LOOPWRIGHT_MAX_UPLOAD_MB in bytes (200 MB when unset). A bad value is an error, not a silent default. */
export function maxUploadBytes(env: Record<string, string | undefined> = process.env): number {
  const raw = env.LOOPWRIGHT_MAX_UPLOAD_MB?.trim();
  if (!raw) return DEFAULT_MAX_MB * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`LOOPWRIGHT_MAX_UPLOAD_MB must be a positive number of megabytes, not "${raw}"`);
  return Math.floor(mb * 1024 * 1024);
}

/** The reader for a file name, by extension; refuses anything else before a byte is stored. */
function readerFor(name: string): { ext: string; reader: Reader } {
  const ext = path.extname(name).toLowerCase();
  const reader = READERS[ext as keyof typeof READERS];
  if (!reader) {
    const what = ext ? `${ext} files` : "files without an extension";
    throw new UploadError(`${name}: ${what} cannot be uploaded; use one of ${ACCEPTED_EXTENSIONS.join(" ")}`, 400);
  }
  return { ext, reader };
}

/** The DuckDB table function that reads a stored file. Only ever given paths we built, as literals. */
export function fileSource(absPath: string): string {
  const reader = READERS[path.extname(absPath).toLowerCase() as keyof typeof READERS];
  const file = sqlLiteral(absPath);
  switch (reader) {
    case "csv":
      return `read_csv(${file}, auto_detect = true)`;
    case "tsv":
      // The sniffer tries tabs too, but a one-column TSV would otherwise be read as CSV.
      return `read_csv(${file}, auto_detect = true, delim = '\t')`;
    case "json":
      return `read_json_auto(${file})`;
    case "ndjson":
      return `read_json_auto(${file}, format = 'newline_delimited')`;
    default:
      throw new Error(`No reader for ${path.basename(absPath)}`);
  }
}

/** DuckDB's reason in one or two lines, without its SQL echo, suggestions or our storage path. */
export function duckdbReason(err: unknown, absPath: string, name: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines: string[] = [];
  for (const line of message.split("\n")) {
    const l = line.trim();
    if (!l || /^(LINE \d+:|Possible (Solution|fixes)|The search space)/.test(l)) break;
    lines.push(l);
  }
  return lines
    .slice(0, 2)
    .join(" ")
    .replace(/^[A-Za-z ]*Error: /, "")
    .split(absPath)
    .join(name)
    .split(path.basename(absPath))
    .join(name);
}

/**
 * Runs `queries` (built from the stored file's table function, `src`) over one stored upload in a
 * DuckDB child process that may read only the uploads folder. Refusals are UploadErrors (400)
 * naming the file: DuckDB's reason, or that the reader crashed or ran out of time. The upload
 * itself is left where it is. Exported for the dataset preview, which reads uploads too.
 */
export async function queryUpload(
  dataDir: string,
  absPath: string,
  name: string,
  queries: (src: string) => string[],
  opts: ReaderOptions = {},
): Promise<Record<string, unknown>[][]> {
  const scope = { roots: [path.dirname(absPath)], tempDirectory: duckdbTempDirectory(dataDir) };
  try {
    return await runReader(scope, queries(fileSource(absPath)), opts);
  } catch (err) {
    if (err instanceof ReaderCrashed) {
      console.error(`[uploads] reading ${name} (${path.basename(absPath)}) crashed the reader: ${err.message}`);
      throw new UploadError(`${name} could not be read: the reader crashed on it`, 400);
    }
    if (err instanceof ReaderTimedOut) throw new UploadError(`${name} could not be read: ${err.message}`, 400);
    throw new UploadError(`Cannot read ${name}: ${duckdbReason(err, absPath, name)}`, 400);
  }
}

/**
 * Rows and columns of a stored upload as DuckDB reads them (in a child process, see queryUpload);
 * deletes the file and names it when DuckDB cannot read it or crashes on it.
 */
export async function describeUpload(dataDir: string, absPath: string, name: string, opts: ReaderOptions = {}): Promise<{ rows: number; columns: FileColumn[] }> {
  try {
    const [described, counted] = await queryUpload(dataDir, absPath, name, (src) => [`DESCRIBE SELECT * FROM ${src}`, `SELECT count(*)::BIGINT AS n FROM ${src}`], opts);
    const columns = described!.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    return { rows: Number(counted![0]!.n), columns };
  } catch (err) {
    await rm(absPath, { force: true });
    throw err;
  }
}

/** A JSON or NDJSON file nested deeper than MAX_JSON_DEPTH is refused before DuckDB sees it. */
function depthGuard(reader: Reader, name: string): ((chunk: Uint8Array) => void) | undefined {
  if (reader !== "json" && reader !== "ndjson") return undefined;
  const guard = new JsonDepthGuard(MAX_JSON_DEPTH);
  return (chunk) => {
    const line = guard.push(chunk);
    if (line !== undefined) throw new UploadError(tooDeepMessage(name, line, guard.limit), 400);
  };
}

function newFileId(): string {
  return `file_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}

/** Keeps the name a person gave (for display), without any directory part a client sent along. */
function cleanName(name: string): string {
  const base = path.basename(name.replace(/\\/g, "/")).trim();
  if (!base || base === "." || base === "..") throw new UploadError("The file has no name; send it with its file name", 400);
  if (base.length > 255) throw new UploadError(`${base.slice(0, 60)}…: the file name is longer than 255 characters`, 400);
  // Control and bidirectional-override characters would make the name display as something else.
  if (/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(base)) throw new UploadError("The file name contains control or direction-changing characters; rename the file", 400);
  return base;
}

/** Describes a file already in uploads/ and records it; removes the file if anything fails. */
async function record(store: Store, dataDir: string, p: { id: string; name: string; rel: string; reader: Reader }): Promise<UploadedFile> {
  const abs = path.join(dataDir, p.rel);
  try {
    const { size } = await stat(abs);
    if (size === 0) throw new UploadError(`${p.name} is empty`, 400);
    const { rows, columns } = await describeUpload(dataDir, abs, p.name);
    const format = p.reader === "csv" || p.reader === "tsv" ? "csv" : "json";
    const row = await files.record(store, { id: p.id, name: p.name, path: p.rel, bytes: size, rows, columns, format });
    return { id: p.id, name: p.name, bytes: size, rows, columns, format, createdAt: row.createdAt };
  } catch (err) {
    await rm(abs, { force: true });
    throw err;
  }
}

type Body = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Chunks of either body kind; cancels a web stream we stop reading early, so the client stops sending. */
async function* chunksOf(body: Body): AsyncGenerator<Uint8Array> {
  if (!("getReader" in body)) {
    yield* body;
    return;
  }
  const reader = body.getReader();
  let done = false;
  try {
    while (true) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

export interface UploadInput {
  name: string;
  body: Body;
  /** What the client said it will send (Content-Length); refused up front when over the limit. */
  declaredBytes?: number;
  maxBytes: number;
}

/**
 * Streams a body to <shared folder>/uploads/<id><ext>, counting bytes as they arrive (the file is never
 * held in memory), then describes and records it. Nothing is left behind when it is refused.
 */
export async function receiveUpload(store: Store, dataDir: string, input: UploadInput): Promise<UploadedFile> {
  const name = cleanName(input.name);
  const { ext, reader } = readerFor(name);
  const limit = `the limit is ${formatBytes(input.maxBytes)} (${LIMIT_HINT})`;
  if (input.declaredBytes !== undefined && input.declaredBytes > input.maxBytes) {
    throw new UploadError(`${name} is ${formatBytes(input.declaredBytes)}; ${limit}`, 413);
  }

  const id = newFileId();
  const rel = path.join("uploads", `${id}${ext}`);
  const abs = path.join(dataDir, rel);
  privateDir(path.dirname(abs));
  const checkDepth = depthGuard(reader, name);

  let received = 0;
  let bodyFailed = false;
  const counted = async function* (source: AsyncIterable<Uint8Array>) {
    try {
      for await (const chunk of source) {
        received += chunk.byteLength;
        if (received > input.maxBytes) throw new UploadError(`${name} is larger than ${formatBytes(input.maxBytes)}; ${limit}`, 413);
        checkDepth?.(chunk);
        yield chunk;
      }
    } catch (err) {
      bodyFailed = true;
      throw err;
    }
  };
  let out: WriteStream | undefined;
  try {
    await pipeline(chunksOf(input.body), counted, (out = newUploadFile(abs)));
  } catch (err) {
    await discard(out, abs);
    if (err instanceof UploadError) throw err;
    // A client that goes away mid-upload shows up as a failed body; a failed write (disk full) is ours.
    if (bodyFailed) throw new UploadError(`${name}: the upload stopped after ${formatBytes(received)} (${err instanceof Error ? err.message : String(err)})`, 400);
    throw err;
  }
  return record(store, dataDir, { id, name, rel, reader });
}

const newUploadFile = (file: string) => createWriteStream(file, { flags: "wx", mode: FILE_MODE });

/**
 * Removes a refused upload's file. The file may still be opening when the body is refused on its
 * first chunk: wait until the stream has closed, or the removal would come before the file exists.
 */
async function discard(out: WriteStream | undefined, file: string): Promise<void> {
  if (out && !out.closed) await new Promise<void>((resolve) => out.once("close", () => resolve()));
  await rm(file, { force: true });
}

/** The CLI's upload: copies a local file into uploads/, then the same description and record. */
export async function registerFile(store: Store, dataDir: string, sourcePath: string, name = path.basename(sourcePath)): Promise<UploadedFile> {
  const clean = cleanName(name);
  const { ext, reader } = readerFor(clean);
  const info = await stat(sourcePath).catch((err: NodeJS.ErrnoException) => {
    throw new UploadError(`Cannot read ${sourcePath}: ${err.code === "ENOENT" ? "no such file" : err.message}`, 400);
  });
  if (!info.isFile()) throw new UploadError(`Cannot read ${sourcePath}: it is not a file`, 400);

  const id = newFileId();
  const rel = path.join("uploads", `${id}${ext}`);
  const abs = path.join(dataDir, rel);
  privateDir(path.dirname(abs));
  const checkDepth = depthGuard(reader, clean);
  const checked = async function* (source: AsyncIterable<Uint8Array>) {
    for await (const chunk of source) {
      checkDepth?.(chunk);
      yield chunk;
    }
  };
  let out: WriteStream | undefined;
  try {
    await pipeline(createReadStream(sourcePath), checked, (out = newUploadFile(abs)));
  } catch (err) {
    await discard(out, abs);
    throw err;
  }
  return record(store, dataDir, { id, name: clean, rel, reader });
}
