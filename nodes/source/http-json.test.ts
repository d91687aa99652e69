import { existsSync, readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { audit } from "../../db/store";
import { BlockedAddressError } from "../../lib/http-guard";
import { failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, TransientError, type DatasetRef } from "../sdk";
import httpJson from "./http-json.node.ts";
import { backoffDelay, getPath, nextLink, retryAfterMs } from "./http-pages";

const TOTAL = 250;
const ITEMS = Array.from({ length: TOTAL }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }));

let h: Harness;
let server: http.Server;
let base: string;
/** Every request the server saw: path and query, and headers. */
let hits: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
/** Per-test counters for the flaky routes. */
let calls: Map<string, number>;

function json(res: http.ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

function route(req: http.IncomingMessage, res: http.ServerResponse) {
  const u = new URL(req.url ?? "/", base);
  const q = (k: string, d = 0) => (u.searchParams.has(k) ? Number(u.searchParams.get(k)) : d);
  const count = (k: string) => {
    const n = (calls.get(k) ?? 0) + 1;
    calls.set(k, n);
    return n;
  };
  switch (u.pathname) {
    case "/pages": {
      const size = q("per_page", 100);
      const page = q("page", 1);
      return json(res, ITEMS.slice((page - 1) * size, page * size));
    }
    case "/offset": {
      const offset = q("offset");
      return json(res, { results: ITEMS.slice(offset, offset + q("limit", 100)) });
    }
    case "/cursor": {
      // Opaque cursors: base64 of the next offset.
      const at = u.searchParams.has("after") ? Number(Buffer.from(u.searchParams.get("after")!, "base64url").toString()) : 0;
      const next = at + 100 < TOTAL ? Buffer.from(String(at + 100)).toString("base64url") : null;
      return json(res, { data: ITEMS.slice(at, at + 100), meta: { next_cursor: next } });
    }
    case "/link": {
      const p = q("p", 1);
      const links = [`</link?p=${TOTAL / 50}>; rel="last"`];
      if (p * 100 < TOTAL) links.unshift(`<${base}/link?p=${p + 1}>; rel="next"`);
      return json(res, ITEMS.slice((p - 1) * 100, p * 100), { link: links.join(", ") });
    }
    case "/nested":
      return json(res, { data: { items: ITEMS.slice(0, 3), total: 3 } });
    case "/flaky":
      if (count("flaky") <= 2) return json(res, { error: "slow down" }, { "retry-after": "0" }, 429);
      return json(res, ITEMS.slice(0, 5));
    case "/broken":
      return json(res, { error: "internal details that must not leak" }, {}, 500);
    case "/missing":
      return json(res, { error: "no such thing, secret body" }, {}, 404);
    case "/proto":
      return json(res, '[{"id":1,"__proto__":{"polluted":"yes"}},{"id":2,"constructor":{"prototype":{"polluted":"yes"}}}]');
    case "/proto-path":
      return json(res, '{"__proto__":[{"id":7}],"items":[]}');
    case "/not-json":
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<html>secret page body</html>");
    case "/empty":
      return json(res, []);
    case "/to-other-host":
      res.writeHead(302, { location: `http://localhost:${u.port || new URL(base).port}/nested` });
      return res.end();
    case "/to-same-host":
      res.writeHead(302, { location: "/nested" });
      return res.end();
    case "/to-metadata":
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/iam/" });
      return res.end();
    case "/hang":
      return; // never answers
    default:
      return json(res, { error: "unknown route" }, {}, 404);
  }
}

beforeAll(async () => {
  h = harness();
  server = http.createServer((req, res) => {
    hits.push({ url: req.url ?? "", headers: req.headers });
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  // The admin's allow-list: a flow cannot allow a private host by itself.
  process.env.LOOPWRIGHT_HTTP_ALLOW = `127.0.0.1:${port}`;
});
afterAll(async () => {
  delete process.env.LOOPWRIGHT_HTTP_ALLOW;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  h.close();
});
beforeEach(() => {
  hits = [];
  calls = new Map();
});

const read = (config: Record<string, unknown>, ctx = h.ctx("http")) => h.run(httpJson, { backoffMs: 1, ...config }, {}, ctx);
const query = (sql: string) => h.ctx("q").datasets.query(sql);
const ids = async (ref: DatasetRef) => (await query(`SELECT id FROM ${h.ctx("q").datasets.from(ref)}`)).map((r) => r.id);
const ALL_IDS = ITEMS.map((i) => i.id);

describe("source.http-json pagination", () => {
  it("page numbers: 250 records over pages of 100, with progress per page", async () => {
    const progress: string[] = [];
    const ctx = h.ctx("pages", { onProgress: (r) => r.message && progress.push(r.message) });
    const res = await read({ url: `${base}/pages`, pagination: { mode: "page", pageParam: "page", sizeParam: "per_page", pageSize: 100 } }, ctx);
    const ref = res.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(TOTAL);
    expect(ref.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "name", type: "VARCHAR" },
    ]);
    expect(await ids(ref)).toEqual(ALL_IDS);
    expect(hits.map((x) => x.url)).toEqual(["/pages?per_page=100&page=1", "/pages?per_page=100&page=2", "/pages?per_page=100&page=3"]);
    expect(progress).toContain("page 1, 100 records");
    expect(progress).toContain("page 3, 250 records");
    expect(res.metrics).toMatchObject({ pages: 3, records: TOTAL, retries: 0, truncated: false });
    // The scratch file is gone.
    const scratch = path.join(h.dataDir, "tmp");
    expect(existsSync(scratch) ? readdirSync(scratch) : []).toEqual([]);
  });

  it("page numbers without a page size stop at the first empty page", async () => {
    const ref = (await read({ url: `${base}/pages`, pagination: { mode: "page", startPage: 1 } })).outputs.rows as DatasetRef;
    expect(ref.rows).toBe(TOTAL);
    expect(hits.map((x) => x.url)).toEqual(["/pages?page=1", "/pages?page=2", "/pages?page=3", "/pages?page=4"]);
  });

  it("offsets", async () => {
    const res = await read({ url: `${base}/offset`, recordPath: "results", pagination: { mode: "offset", offsetParam: "offset", sizeParam: "limit", pageSize: 100 } });
    const ref = res.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(TOTAL);
    expect(await ids(ref)).toEqual(ALL_IDS);
    expect(hits.map((x) => x.url)).toEqual(["/offset?limit=100&offset=0", "/offset?limit=100&offset=100", "/offset?limit=100&offset=200"]);
  });

  it("cursors taken from the body", async () => {
    const res = await read({ url: `${base}/cursor`, recordPath: "data", pagination: { mode: "cursor", cursorParam: "after", cursorPath: "meta.next_cursor" } });
    const ref = res.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(TOTAL);
    expect(await ids(ref)).toEqual(ALL_IDS);
    expect(hits.length).toBe(3);
    expect(hits[0]!.url).toBe("/cursor");
    expect(res.metrics).toMatchObject({ pages: 3, records: TOTAL });
  });

  it("Link headers", async () => {
    const ref = (await read({ url: `${base}/link`, pagination: { mode: "link" } })).outputs.rows as DatasetRef;
    expect(ref.rows).toBe(TOTAL);
    expect(await ids(ref)).toEqual(ALL_IDS);
    expect(hits.map((x) => x.url)).toEqual(["/link", "/link?p=2", "/link?p=3"]);
  });

  it("stops at maxPages and says so", async () => {
    const res = await read({ url: `${base}/pages`, maxPages: 2, pagination: { mode: "page", sizeParam: "per_page", pageSize: 100 } });
    expect((res.outputs.rows as DatasetRef).rows).toBe(200);
    expect(hits.length).toBe(2);
    expect(res.metrics).toMatchObject({ pages: 2, records: 200, truncated: true });
  });

  it("needs a cursor path in cursor mode", async () => {
    const err = await failure(read({ url: `${base}/cursor`, pagination: { mode: "cursor" } }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("pagination.cursorPath");
  });
});

describe("source.http-json records", () => {
  it("follows recordPath, and reports lineage with secrets redacted", async () => {
    const res = await read({
      url: `${base}/nested?token=abc`,
      recordPath: "data.items",
      query: [
        { name: "api_key", value: "supersecret" },
        { name: "fields", value: "id,name" },
      ],
      headers: [{ name: "Authorization", value: "Bearer hunter2" }],
    });
    const ref = res.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(3);
    expect(await ids(ref)).toEqual([1, 2, 3]);
    expect(hits[0]!.url).toBe("/nested?token=abc&api_key=supersecret&fields=id%2Cname");
    expect(hits[0]!.headers.authorization).toBe("Bearer hunter2");
    expect(hits[0]!.headers.accept).toBe("application/json");
    const lineage = (res.metrics as { lineage: Record<string, unknown> }).lineage;
    expect(lineage).toMatchObject({ source: `${base}/nested?token=REDACTED&api_key=REDACTED&fields=id%2Cname`, kind: "http", rows: 3 });
    expect(new Date(lineage.readAt as string).toISOString()).toBe(lineage.readAt);
    expect(JSON.stringify(res.metrics)).not.toMatch(/supersecret|hunter2|abc/);
  });

  it("refuses headers with a value from the environment: credentials come from connections only", async () => {
    process.env.LOOPWRIGHT_SECRET_TEST_API_KEY = "Bearer from-env";
    try {
      const err = await failure(read({ url: `${base}/nested`, headers: [{ name: "Authorization", valueFromEnv: "LOOPWRIGHT_SECRET_TEST_API_KEY" }] }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe("headers.0.value");
      expect(hits.length).toBe(0);
    } finally {
      delete process.env.LOOPWRIGHT_SECRET_TEST_API_KEY;
    }
  });
  it("a recordPath that does not lead to an array names the path and the page", async () => {
    let err = await failure(read({ url: `${base}/nested`, recordPath: "data.rows" }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe('recordPath "data.rows" does not lead to an array in page 1: "data.rows" is missing');
    err = await failure(read({ url: `${base}/nested`, recordPath: "data" }));
    expect(err.message).toBe('recordPath "data" does not lead to an array in page 1: it is an object');
    err = await failure(read({ url: `${base}/nested` }));
    expect(err.message).toMatch(/^The response body does not lead to an array in page 1: it is an object \(set recordPath/);
    // Inherited properties are not part of the data.
    err = await failure(read({ url: `${base}/nested`, recordPath: "data.constructor" }));
    expect(err.message).toMatch(/"data.constructor" is missing/);
  });

  it("__proto__ keys stay data and pollute nothing", async () => {
    const res = await read({ url: `${base}/proto` });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    const ref = res.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(2);
    expect(ref.columns.map((c) => c.name)).toEqual(["id", "__proto__", "constructor"]);
    const src = h.ctx("q").datasets.from(ref);
    expect(await query(`SELECT id, "__proto__".polluted AS p, "constructor".prototype.polluted AS c FROM ${src} ORDER BY id`)).toEqual([
      { id: 1, p: "yes", c: null },
      { id: 2, p: null, c: "yes" },
    ]);
    // A recordPath through "__proto__" finds the body's own key, never Object.prototype.
    const own = (await read({ url: `${base}/proto-path`, recordPath: "__proto__" })).outputs.rows as DatasetRef;
    expect(await ids(own)).toEqual([7]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("an empty array gives an empty table", async () => {
    const res = await read({ url: `${base}/empty` });
    expect((res.outputs.rows as DatasetRef).rows).toBe(0);
    expect(res.metrics).toMatchObject({ pages: 1, records: 0 });
  });

  it("a body that is not JSON is a DataError that does not quote it", async () => {
    const err = await failure(read({ url: `${base}/not-json` }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`Page 1 from ${base}/not-json is not valid JSON (content-type text/html)`);
  });
});

describe("source.http-json with a connection", () => {
  const TOKEN = "tok-9f8e7d6c5b4a";
  beforeAll(async () => {
    await h.connection({ name: "crm-api", kind: "http", config: { baseUrl: `${base}/`, auth: "bearer" }, secrets: { token: TOKEN }, plainHttpHosts: ["127.0.0.1"] });
    await h.connection({ name: "crm-api-basic", kind: "http", config: { baseUrl: base, auth: "basic", user: "ann" }, secrets: { password: "pw-basic-123" }, plainHttpHosts: ["127.0.0.1"] });
    await h.connection({ name: "a-database", kind: "sqlite", config: { file: path.join(h.dataDir, "x.sqlite") } });
  });
  const withConn = (config: Record<string, unknown>, ctx = h.ctx("http", { runId: "run-http" })) => read({ connection: "crm-api", ...config }, ctx);

  it("adds the connection's credentials to requests to its host, takes paths below its base URL, and never shows them", async () => {
    const res = await withConn({ url: "/nested", recordPath: "data.items" });
    expect((res.outputs.rows as DatasetRef).rows).toBe(3);
    expect(hits.map((x) => x.url)).toEqual(["/nested"]);
    expect(hits[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(res.metrics)).not.toContain(TOKEN);

    await read({ connection: "crm-api-basic", url: "nested", recordPath: "data.items" });
    expect(hits.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from("ann:pw-basic-123").toString("base64")}`);

    // Its use is in the audit log: which run and node used which connection; no secret there.
    const uses = (await audit.list(h.store, { action: "connection.use" })).filter((u) => u.target === "crm-api");
    expect(uses).toHaveLength(1);
    expect(uses[0]).toMatchObject({ actor: "system", detail: { kind: "http", runId: "run-http", nodeId: "http" } });
    expect(JSON.stringify(uses)).not.toContain(TOKEN);
  });

  it("follows pages on its host with the credentials on every page", async () => {
    const ref = (await withConn({ url: "link", pagination: { mode: "link" } })).outputs.rows as DatasetRef;
    expect(ref.rows).toBe(TOTAL);
    expect(hits.map((x) => x.headers.authorization)).toEqual(Array(3).fill(`Bearer ${TOKEN}`));
  });

  it("is refused for a host outside its hosts, before any request", async () => {
    const port = new URL(base).port;
    const err = await failure(withConn({ url: `http://localhost:${port}/nested` }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("url");
    expect(err.message).toBe('Connection "crm-api" may not be sent to localhost; it may only go to 127.0.0.1 (an admin sets its hosts)');
    expect(hits.length).toBe(0);
  });

  it("follows no redirect, so the credentials never reach another host", async () => {
    for (const route of ["/to-other-host", "/to-same-host"]) {
      hits = [];
      const err = await failure(withConn({ url: route, retries: 0 }));
      expect(err, route).toBeInstanceOf(ConfigError);
      expect(err.message, route).toMatch(new RegExp(`Connection "crm-api": ${base}${route} answered with a redirect`));
      expect(hits.map((x) => x.url)).toEqual([route]);
    }
    // Without a connection (and no credentials) the same redirect is followed.
    hits = [];
    expect(((await read({ url: `${base}/to-same-host`, recordPath: "data.items" })).outputs.rows as DatasetRef).rows).toBe(3);
  });

  it("refuses a missing connection or one of another kind, naming the field", async () => {
    for (const [connection, message] of [
      ["nope", 'connection: there is no connection named "nope"'],
      ["a-database", 'connection: the connection "a-database" is a sqlite connection; this needs a http one'],
    ]) {
      const err = await failure(read({ connection, url: "/nested" }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe("connection");
      expect(err.message).toContain(message);
    }
    // A path without a connection is not a URL.
    const noBase = await failure(read({ url: "/nested" }));
    expect(noBase.where).toBe("url");
    expect(hits.length).toBe(0);
  });
});

describe("source.http-json failures", () => {
  it("retries 429 with Retry-After: 0, then succeeds and counts the retries", async () => {
    const res = await read({ url: `${base}/flaky`, backoffMs: 60_000 }); // Retry-After wins over the backoff
    expect((res.outputs.rows as DatasetRef).rows).toBe(5);
    expect(hits.length).toBe(3);
    expect(res.metrics).toMatchObject({ pages: 1, records: 5, retries: 2 });
  });

  it("a 500 that never ends is a TransientError after the retries", async () => {
    const err = await failure(read({ url: `${base}/broken?access_token=t0k3n`, retries: 3 }));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).retryable).toBe(true);
    expect(err.message).toBe(`HTTP 500 Internal Server Error from ${base}/broken?access_token=REDACTED (page 1), after 4 attempts`);
    expect(hits.length).toBe(4);
  });

  it("a 404 is a DataError naming the status and the redacted URL, without retrying", async () => {
    const err = await failure(read({ url: `${base}/missing`, query: [{ name: "password", value: "pw123" }] }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`HTTP 404 Not Found from ${base}/missing?password=REDACTED (page 1)`);
    expect(err.message).not.toMatch(/secret body|pw123/);
    expect(hits.length).toBe(1);
  });

  it("refuses the cloud metadata address before any request, directly or by redirect", async () => {
    let err = await failure(read({ url: "http://169.254.169.254/latest/meta-data/" }));
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/169\.254\.169\.254 is a cloud metadata address/);
    err = await failure(read({ url: `${base}/to-metadata` }));
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(hits.length).toBe(1);
    // The local test server itself is reachable only while the admin allows it.
    const admin = process.env.LOOPWRIGHT_HTTP_ALLOW;
    delete process.env.LOOPWRIGHT_HTTP_ALLOW;
    try {
      err = await failure(read({ url: `${base}/pages` }));
      expect(err.message).toMatch(/127\.0\.0\.1 is a loopback address/);
    } finally {
      process.env.LOOPWRIGHT_HTTP_ALLOW = admin;
    }
  });

  it("stops when the run is cancelled (ctx.signal)", async () => {
    const ctl = new AbortController();
    const run = read({ url: `${base}/hang` }, h.ctx("cancel", { signal: ctl.signal }));
    while (!hits.length) await new Promise((r) => setTimeout(r, 5));
    ctl.abort(new Error("run cancelled"));
    expect((await failure(run)).message).toBe("run cancelled");
  });
});

describe("http-pages helpers", () => {
  it("walks own properties only", () => {
    const body = JSON.parse('{"a":{"__proto__":{"b":[1]}},"list":[{"x":1}]}');
    expect(getPath(body, "a.__proto__.b")).toEqual({ found: true, value: [1] });
    expect(getPath(body, "list.0.x")).toEqual({ found: true, value: 1 });
    expect(getPath(body, "a.toString")).toEqual({ found: false, missing: "a.toString" });
    expect(getPath(body, "")).toEqual({ found: true, value: body });
  });

  it("reads Link headers", () => {
    expect(nextLink('<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel="last"')).toBe("https://api.example.com/items?page=2");
    expect(nextLink('<https://x/?a=1,2>; rel="last", </p3>; title="a, b"; rel="prev next"')).toBe("/p3");
    expect(nextLink("<https://x/2>; rel=next")).toBe("https://x/2");
    expect(nextLink('<https://x/1>; rel="prev"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });

  it("reads Retry-After as seconds or a date, and backs off with jitter", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs("0", now)).toBe(0);
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10_000);
    expect(retryAfterMs("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(backoffDelay(1, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(2000);
    expect(backoffDelay(3, 500, 30_000, () => 0)).toBe(1000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
  });
});
