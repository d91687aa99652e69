// Reads JSON records from an HTTP API, page by page, into a table. Every request goes through the
// SSRF guard (lib/http-guard.ts). Credentials come only from a connection (an admin keeps them,
// encrypted): it adds them to requests to its own hosts and nowhere else; the flow holds its name. Pages are never all held in memory: each page's records are
// appended as NDJSON lines to a scratch file in the data directory, which DuckDB then reads once.
import { createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { z } from "zod";
import { advanced, connectionField, DataError, defineNode, redactUrl, TransientError, type HttpConnection, type NodeContext } from "../sdk";
import { backoffDelay, makePager, recordsAt, retryAfterMs, sleep } from "./http-pages";

/** The longest this node waits before one retry, whatever Retry-After asks. */
const MAX_RETRY_WAIT_MS = 120_000;
/** DuckDB's limit on one record's JSON text. */
const MAX_RECORD_BYTES = 128 * 1024 * 1024;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const NO_LINE_BREAKS = /^[^\r\n\0]*$/;
const HEADER_VALUE = /^[^\r\n\0\u0100-\uffff]*$/;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

const param = (what: string) =>
  z.object({
    name: z.string().trim().min(1, `Give the ${what} name`),
    value: z.string().regex(NO_LINE_BREAKS, "No line breaks in values"),
  });

const config = z
  .object({
    connection: connectionField(z.string().trim().min(1).optional(), ["http"]).describe(
      "An HTTP API connection (kept by an admin): its credentials are added to every request, which may then only go to its hosts. Empty: no credentials.",
    ),
    url: z
      .string()
      .trim()
      .min(1, "Give the URL")
      .describe("The web address to read from: an http(s):// address, or with a connection a path below its address (e.g. /v1/items)."),
    method: advanced(z.literal("GET").default("GET").describe("Only GET: reading never changes anything on the other side.")),
    headers: advanced(
      z
        .array(
          z.object({
            name: z.string().trim().regex(HEADER_NAME, "Not a valid header name"),
            value: z.string().regex(HEADER_VALUE, "Header values may only hold Latin-1 characters, without line breaks"),
          }),
        )
        .default([])
        .describe("Request headers. Never put secrets here (the flow is visible to everyone who can open it): use a connection."),
    ),
    query: z
      .array(param("parameter"))
      .default([])
      .describe("Query parameters added to the URL. Values of parameters named like key, token, secret or password never appear in errors or logs."),
    recordPath: z
      .string()
      .trim()
      .default("")
      .describe("Where the records are in the answer, as a dot path such as data.items. Empty when the answer is the list of records itself."),
    pagination: advanced(
      z
        .object({
          mode: z
            .enum(["none", "page", "offset", "cursor", "link"])
            .default("none")
            .describe("none: one request. page: ?page=1,2,3… offset: ?offset=0,100,200… cursor: the next cursor comes from the body. link: follow the Link: <…>; rel=\"next\" header."),
          pageParam: z.string().trim().default("page").describe("Page mode: the page-number parameter."),
          sizeParam: z.string().trim().default("").describe("Page and offset modes: the page-size parameter (e.g. per_page, limit). Sent only with a page size."),
          pageSize: z
            .number()
            .int()
            .min(1)
            .max(100_000)
            .optional()
            .describe("Records per page. A shorter page is taken as the last one; without it, reading stops at an empty page."),
          startPage: z.number().int().min(0).default(1).describe("Page mode: the number of the first page."),
          offsetParam: z.string().trim().default("offset").describe("Offset mode: the offset parameter."),
          cursorParam: z.string().trim().default("cursor").describe("Cursor mode: the parameter that carries the cursor."),
          cursorPath: z.string().trim().default("").describe("Cursor mode: where the next cursor is in the body, e.g. meta.next_cursor. Reading stops when it is missing or empty."),
        })
        .prefault({})
        .describe("How to ask for the next page: page numbers, offsets, cursors or Link headers."),
    ),
    maxPages: advanced(z.number().int().min(1).max(100_000).default(100).describe("Stop after this many pages (the table then holds what was read).")),
    retries: advanced(z.number().int().min(0).max(10).default(4).describe("Retries of one request on HTTP 429, 5xx and network errors, with growing waits (Retry-After is honoured).")),
    backoffMs: advanced(z.number().int().min(0).max(60_000).default(500).describe("The first wait between retries, in milliseconds; it doubles each retry.")),
    timeoutSeconds: advanced(z.number().positive().max(600).default(30).describe("Longest wait for one response, in seconds.")),
  })
  .superRefine((c, issue) => {
    if (!c.connection && !isHttpUrl(c.url)) issue.addIssue({ code: "custom", path: ["url"], message: "Must be an http:// or https:// URL (a path needs a connection)" });
    const p = c.pagination;
    const need = (ok: boolean, field: string, message: string) => {
      if (!ok) issue.addIssue({ code: "custom", path: ["pagination", field], message });
    };
    if (p.mode === "page") need(p.pageParam !== "", "pageParam", "Give the page-number parameter");
    if (p.mode === "offset") need(p.offsetParam !== "", "offsetParam", "Give the offset parameter");
    if (p.mode === "cursor") {
      need(p.cursorParam !== "", "cursorParam", "Give the cursor parameter");
      need(p.cursorPath !== "", "cursorPath", "Give where the next cursor is in the body");
    }
  });

type Config = z.output<typeof config>;

const RETRY_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

/** Resolves once the chunk is written (so at most one page is buffered), rejects on a disk error. */
function writeChunk(out: WriteStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve())));
}

function seconds(ms: number): string {
  return `${+(ms / 1000).toFixed(ms < 1000 ? 3 : 1)} s`;
}

interface Fetched {
  url: string;
  body: unknown;
  headers: Headers;
}

class Reader {
  retries = 0;
  private readonly headers: Headers;

  constructor(
    private readonly cfg: Config,
    private readonly ctx: NodeContext,
    /** With a connection, every request goes through it (its credentials, its hosts only). */
    private readonly conn?: HttpConnection,
  ) {
    this.headers = new Headers();
    for (const h of cfg.headers) this.headers.append(h.name, h.value);
    if (!this.headers.has("accept")) this.headers.set("accept", "application/json");
  }

  /** One page, retried on 429/5xx/408 and network trouble; the parsed body. */
  async fetch(url: URL, page: number): Promise<Fetched> {
    const { cfg, ctx } = this;
    const shown = redactUrl(url);
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      let wait: number | undefined;
      let cause: unknown;
      try {
        const init = { method: "GET", headers: this.headers, timeoutMs: cfg.timeoutSeconds * 1000, signal: ctx.signal };
        const res = await (this.conn ? this.conn.fetch(url, init) : ctx.fetch(url, init));
        if (res.ok) {
          const text = await res.text();
          return { url: res.url || url.href, headers: res.headers, body: parseJson(text, shown, page, res.headers.get("content-type")) };
        }
        await res.body?.cancel().catch(() => {});
        const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
        if (!RETRY_STATUS(res.status)) throw new DataError(`${status} from ${shown} (page ${page})`, { where: "url" });
        problem = `${status} from ${shown}`;
        wait = retryAfterMs(res.headers.get("retry-after"));
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
        if (!(err instanceof TransientError)) throw err;
        problem = err.message;
        cause = err;
      }
      if (attempt >= cfg.retries) {
        throw new TransientError(`${problem} (page ${page}), after ${attempt + 1} attempt${attempt ? "s" : ""}`, { cause });
      }
      this.retries++;
      const delay = Math.min(MAX_RETRY_WAIT_MS, wait ?? backoffDelay(attempt + 1, cfg.backoffMs));
      const message = `page ${page}: ${problem}; retry ${attempt + 1} of ${cfg.retries} in ${seconds(delay)}`;
      ctx.log.warn(message);
      ctx.progress(null, message);
      await sleep(delay, ctx.signal);
    }
  }
}

function parseJson(text: string, shown: string, page: number, contentType: string | null): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not the SyntaxError's message: it quotes the body.
    const type = contentType ? ` (content-type ${contentType.split(";")[0]!.trim()})` : "";
    throw new DataError(`Page ${page} from ${shown} is not valid JSON${type}`, { where: "url" });
  }
}

export default defineNode({
  type: "source.http-json",
  version: 2,
  kind: "source",
  label: "HTTP JSON",
  description:
    "Read records from a web API (JSON) into a table, page after page. Busy or failing servers are tried again. " +
    "Credentials come from an HTTP API connection an admin keeps, which sends them only to its own addresses and follows no redirects; private and cloud metadata addresses are refused unless the admin allows them (LOOPWRIGHT_HTTP_ALLOW).",
  inputs: {},
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, ctx }) {
    const conn = cfg.connection ? await ctx.connection(cfg.connection, "http") : undefined;
    const base = conn ? conn.resolveUrl(cfg.url) : new URL(cfg.url);
    for (const q of cfg.query) base.searchParams.append(q.name, q.value);
    const source = redactUrl(base);
    const readAt = new Date().toISOString();
    const pager = makePager(
      base,
      { ...cfg.pagination, sizeParam: cfg.pagination.sizeParam || undefined, cursorPath: cfg.pagination.cursorPath || undefined },
      (message) => ctx.log.warn(message, { url: source }),
    );
    const reader = new Reader(cfg, ctx, conn);

    const file = ctx.scratchFile(".ndjson");
    const out = createWriteStream(file, { flags: "wx" });
    out.on("error", () => {}); // reported through the write callbacks and finished()
    let pages = 0;
    let records = 0;
    let truncated = false;
    try {
      ctx.progress(null, `Requesting ${source}`);
      let url: URL | undefined = pager.first();
      while (url) {
        const fetched = await reader.fetch(url, pages + 1);
        pages++;
        const recs = recordsAt(fetched.body, cfg.recordPath, pages);
        // JSON.stringify keeps every key as data, "__proto__" included (JSON.parse made it an own property).
        if (recs.length) await writeChunk(out, `${recs.map((r) => JSON.stringify(r)).join("\n")}\n`);
        records += recs.length;
        ctx.progress(null, `page ${pages}, ${records} records`, { pages, records });
        const next = pager.next({ number: pages, url: fetched.url, body: fetched.body, headers: fetched.headers, records: recs });
        if (next && pages >= cfg.maxPages) {
          truncated = true;
          ctx.log.warn(`Stopped after maxPages (${cfg.maxPages}) pages; more were available`, { url: source });
          break;
        }
        url = next;
      }
      out.end();
      await finished(out);

      const src = `read_json(${ctx.datasets.filePath(file)}, format = 'newline_delimited', sample_size = -1, maximum_object_size = ${MAX_RECORD_BYTES})`;
      let ref;
      try {
        ref = await ctx.datasets.create(`SELECT * FROM ${src}`);
      } catch (err) {
        const first = (err instanceof Error ? err.message : String(err)).split("\n")[0]!.split(file).join("the records");
        throw new DataError(`The records from ${source} cannot be made into a table: ${first}`, { where: "recordPath" });
      }
      ctx.progress(1, `Read ${ref.rows} records from ${pages} page${pages === 1 ? "" : "s"}`);
      return {
        outputs: { rows: ref },
        metrics: {
          pages,
          records,
          retries: reader.retries,
          truncated,
          lineage: { source, kind: "http", readAt, rows: ref.rows },
        },
      };
    } finally {
      out.destroy();
      await rm(file, { force: true });
    }
  },
});
