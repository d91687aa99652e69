// What the file sources share: which file a config names, its lineage, scratch copies in the
// worker's scratch folder, and byte-level scans that find the line of a problem DuckDB reports without one.
import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { ConfigError, DataError, NotFoundError, uploadedFile, type NodeContext } from "../sdk";

/** The `path` and `fileId` config fields; `what` names the format in the form ("CSV"). */
export function fileFields(what: string, formats: string[]) {
  return {
    path: z.string().optional().describe(`Path of the ${what} file. Relative paths start at the project directory. Leave empty when using an uploaded file.`),
    fileId: uploadedFile(z.string().regex(/^[A-Za-z0-9_-]*$/), formats)
      .optional()
      .describe("An uploaded file, instead of a path."),
  };
}

/** Checked on save too, so the form shows it before any run. */
export function oneFile<T extends { path?: string; fileId?: string }>(c: T, issue: z.RefinementCtx<T>): void {
  if (Boolean(c.path) === Boolean(c.fileId)) {
    issue.addIssue({ code: "custom", path: ["path"], message: "Give either a path or an uploaded file" });
  }
}

export interface SourceFile {
  /** Absolute path. */
  file: string;
  /** What messages call the file: its base name (never a server path). */
  name: string;
  /** What lineage calls it: the file name, or the upload id. */
  source: string;
  bytes: number;
  readAt: string;
}

/** Resolves and checks the file a source config names. `label` starts messages ("CSV file"). */
export async function openSource(cfg: { path?: string; fileId?: string }, ctx: NodeContext, label: string): Promise<SourceFile> {
  const p = cfg.path || undefined;
  const id = cfg.fileId || undefined;
  if ((p === undefined) === (id === undefined)) throw new ConfigError(`${label}: give either a path or an uploaded file, not both or neither`, { field: "path" });
  let file: string;
  if (p !== undefined) {
    try {
      file = ctx.resolvePath(p);
    } catch (err) {
      throw err instanceof ConfigError ? new ConfigError(`${label}: ${err.message}`, { field: "path", cause: err }) : err;
    }
  }
  else if (typeof ctx.resolveUpload !== "function") throw new ConfigError(`${label}: uploaded files are not available here; give a path`, { field: "fileId" });
  else file = await ctx.resolveUpload(id!);
  const name = path.basename(file);
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR") throw new NotFoundError(`${label} not found: ${name}`, { where: name, cause: err });
    throw err;
  });
  if (!info.isFile()) throw new NotFoundError(`${label} not found: ${name} is not a file`, { where: name });
  return { file, name, source: id ?? name, bytes: info.size, readAt: new Date().toISOString() };
}

export function lineage(src: SourceFile, format: string, rows: number) {
  return { source: src.source, kind: "file", format, readAt: src.readAt, rows, bytes: src.bytes };
}

/** DuckDB's first message line, naming the file by `name` rather than by a server or scratch path. */
export function duckReason(err: unknown, file: string, name: string): string {
  const first = String((err as Error)?.message ?? err).split("\n")[0]!.trim();
  return first.split(file).join(name);
}

/** Runs `fn` with a fresh scratch file path, removed afterwards. */
export async function withScratch<T>(ctx: NodeContext, ext: string, fn: (file: string) => Promise<T>): Promise<T> {
  const file = ctx.scratchFile(ext);
  try {
    return await fn(file);
  } finally {
    await rm(file, { force: true });
  }
}

export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

/**
 * Streams `src` to `dst` as UTF-8 (64 KB at a time, never the whole file in memory). The decoder
 * drops a byte-order mark, and rejects bytes that are not text in `encoding` with the line.
 */
export async function transcodeToUtf8(src: string, dst: string, encoding: TextEncoding, name: string): Promise<void> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let line = 1;
  const newlines = (s: string) => s.split("\n").length - 1;
  async function* decode(chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch (err) {
        // A lenient decode of the same chunk shows where the bad bytes start.
        const soft = new TextDecoder(encoding).decode(chunk);
        const at = soft.indexOf("\uFFFD");
        throw badText(name, line + newlines(soft.slice(0, at < 0 ? soft.length : at)), encoding, err);
      }
      line += newlines(text);
      yield text;
    }
    try {
      yield decoder.decode();
    } catch (err) {
      throw badText(name, line, encoding, err);
    }
  }
  await pipeline(createReadStream(src, { highWaterMark: 1 << 16 }), decode, createWriteStream(dst));
}

function badText(name: string, line: number, encoding: string, cause: unknown): DataError {
  return new DataError(`${name} line ${line}: not valid ${encoding.toUpperCase()} text; check the encoding setting`, { where: `${name} line ${line}`, cause });
}

/**
 * Streams the file through `bad`, which sees each byte and returns the byte to blame (it may be an
 * earlier one, the start of a broken sequence) once the text is wrong; gives that and its line.
 */
async function firstBadByte(file: string, bad: (b: number) => number | undefined): Promise<{ line: number; byte: number } | undefined> {
  let line = 1;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      const blamed = bad(b);
      if (blamed !== undefined) return { line, byte: blamed };
      if (b === 0x0a) line++;
    }
  }
  return undefined;
}

/** Where a file stops being UTF-8: a byte that cannot start a character, or a lead byte left unfinished. */
export function firstNonUtf8(file: string) {
  let need = 0;
  let lead = 0;
  return firstBadByte(file, (b) => {
    if (need > 0) {
      if (b < 0x80 || b > 0xbf) return lead;
      need--;
      return undefined;
    }
    if (b < 0x80) return undefined;
    lead = b;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return b;
    return undefined;
  });
}

/** The first C1 control byte (0x80-0x9F): never Latin-1 text, but the euro sign, quotes, dashes in Windows-1252. */
export function firstC1Byte(file: string) {
  return firstBadByte(file, (b) => (b >= 0x80 && b <= 0x9f ? b : undefined));
}

export const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, "0")}`;
