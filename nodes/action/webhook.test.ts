import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { flows, ledger, runs } from "../../db/store";
import { SECRET_FIELDS } from "../../server/services/connection-kinds";
import { failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type ConnectionKind, type ConnectionLookup, type DatasetRef, type NodeContext } from "../sdk";
import webhook from "./webhook.node.ts";

const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
/** Whether HTTP connections keep a signing secret themselves; until then the test gives the connection its signer. */
const CONNECTIONS_SIGN = SECRET_FIELDS.http.includes("signingSecret");

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** What standardwebhooks' Webhook.verify made of it; null when it refused. */
  verified: unknown;
  verifyError: string | null;
}

let h: Harness;
let server: http.Server;
let base: string;
let hits: Hit[];
/** Per test: how the receiver answers a request (after recording it). */
interface Answer {
  status: number;
  headers?: Record<string, string>;
}
let answer: (hit: Hit, n: number) => Answer;

beforeAll(async () => {
  h = harness();
  const verifier = new Webhook(SECRET);
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const hit: Hit = { path: req.url ?? "", headers: req.headers, body, verified: null, verifyError: null };
      try {
        hit.verified = verifier.verify(body, req.headers as Record<string, string>);
      } catch (err) {
        hit.verifyError = (err as Error).message;
      }
      hits.push(hit);
      const a = answer(hit, hits.length);
      // 0: hang up without answering (network trouble).
      if (a.status === 0) return req.socket.destroy();
      res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
      res.end(JSON.stringify({ ok: a.status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  // The admin's allow-list: the SSRF guard refuses loopback otherwise.
  process.env.LOOPWRIGHT_HTTP_ALLOW = `127.0.0.1:${port}`;
  await h.connection({
    name: "hooks",
    kind: "http",
    config: { baseUrl: `${base}/api` },
    plainHttpHosts: ["127.0.0.1"],
    ...(CONNECTIONS_SIGN ? { secrets: { signingSecret: SECRET } } : {}),
  });
  await h.connection({ name: "unsigned", kind: "http", config: { baseUrl: base }, plainHttpHosts: ["127.0.0.1"] });
  // The ledger records a run's flow and version.
  const flow = await flows.create(h.store, { name: "Webhooks", nodes: [], edges: [] });
  for (const runId of ["run-a", "run-b", "run-c", "run-d", "run-e", "run-f", "run-g", "run-h", "run-i"]) {
    await runs.create(h.store, { runId, flowId: flow.flowId, flowVersionId: flow.versionId, flowVersion: 1, triggerKind: "manual", workflowId: `run-${runId}`, temporalUrl: "http://temporal.test", nodes: [] });
  }
});
afterAll(async () => {
  delete process.env.LOOPWRIGHT_HTTP_ALLOW;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.close();
});
beforeEach(() => {
  hits = [];
  answer = () => ({ status: 200 });
});

/** The Standard Webhooks v1 signature, as the connection makes it from its signing secret. */
function signWebhook(msgId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
  return `v1,${createHmac("sha256", key).update(`${msgId}.${timestampSeconds}.${body}`).digest("base64")}`;
}

/** A real node context; the "hooks" connection signs (itself, or through the stand-in above). */
function ctxFor(runId: string, nodeId = "send"): NodeContext {
  const ctx = h.ctx(nodeId, { runId });
  if (CONNECTIONS_SIGN) return ctx;
  const connection = ctx.connection.bind(ctx);
  ctx.connection = (async (name: string, kind: ConnectionKind, lookup?: ConnectionLookup) => {
    const conn = await connection(name, kind, lookup);
    return name === "hooks" ? Object.assign(conn, { signWebhook }) : conn;
  }) as NodeContext["connection"];
  return ctx;
}

const CUSTOMERS = `SELECT * FROM (VALUES
  ('c1', '+4915100000001', 'Hello Ann', 1.5, 10::BIGINT),
  ('c2', '+4915100000002', 'Hello Bob', NULL, 20::BIGINT),
  ('c3', '+4915100000003', 'Hello Cy', 3.25, 30::BIGINT),
  ('c4', '+4915100000004', 'Hello Dee', 4.0, 40::BIGINT),
  ('c5', '+4915100000005', 'Hello Eve', 5.5, 50::BIGINT)
) t(customer, phone, message, score, points)`;

const dataset = (sql: string) => h.ctx("setup").datasets.create(sql);
const send = (config: Record<string, unknown>, rows: DatasetRef, ctx: NodeContext) =>
  h.run(webhook, { connection: "hooks", customerId: "customer", backoffMs: 1, ...config }, { rows }, ctx);
const ledgerOf = async (runId: string) =>
  (await ledger.list(h.store)).filter((r) => r.runId === runId).sort((a, b) => String(a.customerId).localeCompare(String(b.customerId)));

describe("action.webhook", () => {
  it("POSTs one signed request per row with the chosen columns; every request verifies; the ledger says sent", async () => {
    const rows = await dataset(CUSTOMERS);
    const res = await send({ path: "/sms", columns: ["phone", "message", "points"] }, rows, ctxFor("run-a"));

    expect(hits).toHaveLength(5);
    for (const hit of hits) {
      expect(hit.verifyError).toBeNull();
      expect(hit.path).toBe("/api/sms");
      expect(hit.headers["content-type"]).toBe("application/json");
      expect(hit.headers["webhook-id"]).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
      expect(hit.headers["idempotency-key"]).toBe(hit.headers["webhook-id"]);
      expect(hit.headers["webhook-signature"]).toMatch(/^v1,/);
    }
    const bodies = hits.map((x) => x.verified as Record<string, unknown>).sort((a, b) => String(a.phone).localeCompare(String(b.phone)));
    expect(bodies[0]).toEqual({ phone: "+4915100000001", message: "Hello Ann", points: 10 });
    expect(Object.keys(bodies[4]!)).toEqual(["phone", "message", "points"]);
    // One key per row, the same for the run, node and customer only.
    expect(new Set(hits.map((x) => x.headers["webhook-id"])).size).toBe(5);

    expect(res.outputs.rows).toEqual(rows);
    expect(res.metrics).toMatchObject({ rows: 5, sent: 5, failed: 0, alreadySent: 0, requests: 5, retries: 0, url: `${base}/api/sms` });
    const entries = await ledgerOf("run-a");
    expect(entries.map((e) => [e.customerId, e.channel, e.status, e.nodeId])).toEqual(["c1", "c2", "c3", "c4", "c5"].map((c) => [c, "webhook", "sent", "send"]));
    const c1 = entries[0]!;
    const body = hits.find((x) => (x.verified as { phone: string }).phone === "+4915100000001")!;
    expect(c1.content).toMatchObject({ webhookId: body.headers["webhook-id"], httpStatus: 200, attempts: 1, bytes: Buffer.byteLength(body.body) });
    expect((c1.content as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c1.flowVersion).toBe(1);
  });

  it("sends every column when none are chosen", async () => {
    const rows = await dataset(`SELECT * FROM (${CUSTOMERS}) WHERE customer = 'c2'`);
    await send({}, rows, ctxFor("run-g"));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.path).toBe("/api");
    expect(hits[0]!.verified).toEqual({ customer: "c2", phone: "+4915100000002", message: "Hello Bob", score: null, points: 20 });
  });

  it("retries a receiver that answers 503 with Retry-After: 1 twice; the row arrives on the third try and is recorded sent", async () => {
    answer = (_hit, n): Answer => (n <= 2 ? { status: 503, headers: { "retry-after": "1" } } : { status: 202, headers: { "x-request-id": "req-42" } });
    const rows = await dataset(`SELECT * FROM (${CUSTOMERS}) WHERE customer = 'c1'`);
    const res = await send({ columns: ["phone", "message"], backoffMs: 60_000 }, rows, ctxFor("run-b"));

    expect(hits).toHaveLength(3);
    for (const hit of hits) expect(hit.verifyError).toBeNull();
    // The same message each time: the same id and body, so the receiver can drop a repeat.
    expect(new Set(hits.map((x) => x.headers["webhook-id"])).size).toBe(1);
    expect(new Set(hits.map((x) => x.body)).size).toBe(1);
    // Retry-After (1 s), not the 60 s backoff, set the waits.
    const times = hits.map((x) => Number(x.headers["webhook-timestamp"]));
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(1);
    expect(times[2]! - times[0]!).toBeLessThan(10);

    expect(res.metrics).toMatchObject({ sent: 1, failed: 0, requests: 3, retries: 2 });
    const [entry] = await ledgerOf("run-b");
    expect(entry).toMatchObject({ customerId: "c1", status: "sent", reason: null, providerId: "req-42" });
    expect(entry!.content).toMatchObject({ httpStatus: 202, attempts: 3 });
  });

  it("records a 400 as failed with its status and reason, without retrying, and carries on with the other rows", async () => {
    answer = (hit) => ((hit.verified as { phone: string }).phone.endsWith("3") ? { status: 400 } : { status: 200 });
    const rows = await dataset(CUSTOMERS);
    const res = await send({ columns: ["phone"] }, rows, ctxFor("run-c"));

    expect(hits).toHaveLength(5);
    expect(res.metrics).toMatchObject({ sent: 4, failed: 1, requests: 5, retries: 0 });
    const entries = await ledgerOf("run-c");
    expect(entries.map((e) => [e.customerId, e.status])).toEqual([
      ["c1", "sent"],
      ["c2", "sent"],
      ["c3", "failed"],
      ["c4", "sent"],
      ["c5", "sent"],
    ]);
    expect(entries[2]!.reason).toBe("HTTP 400 Bad Request");
    expect(entries[2]!.content).toMatchObject({ httpStatus: 400, attempts: 1 });
  });

  it("gives up after maxAttempts on a receiver that keeps failing, and says so", async () => {
    answer = () => ({ status: 500 });
    const rows = await dataset(`SELECT * FROM (${CUSTOMERS}) WHERE customer = 'c4'`);
    const res = await send({ maxAttempts: 3 }, rows, ctxFor("run-f"));
    expect(hits).toHaveLength(3);
    expect(res.metrics).toMatchObject({ sent: 0, failed: 1, requests: 3, retries: 2 });
    const [entry] = await ledgerOf("run-f");
    expect(entry).toMatchObject({ status: "failed", reason: "HTTP 500 Internal Server Error (after 3 attempts)" });
  });

  it("retries network trouble too, and records the last problem when it persists", async () => {
    answer = (_hit, n) => (n === 1 ? { status: 0 } : { status: 200 });
    const rows = await dataset(`SELECT * FROM (${CUSTOMERS}) WHERE customer IN ('c1', 'c2')`);
    const res = await send({ concurrency: 1 }, rows, ctxFor("run-h"));
    expect(hits).toHaveLength(3);
    expect(res.metrics).toMatchObject({ sent: 2, failed: 0, requests: 3, retries: 1 });

    hits = [];
    answer = () => ({ status: 0 });
    const down = await send({ maxAttempts: 2 }, rows, ctxFor("run-h", "down"));
    expect(hits).toHaveLength(4);
    expect(down.metrics).toMatchObject({ sent: 0, failed: 2, retries: 2 });
    const entries = (await ledgerOf("run-h")).filter((e) => e.nodeId === "down");
    expect(entries.map((e) => e.status)).toEqual(["failed", "failed"]);
    expect(entries[0]!.reason).toMatch(/\(after 2 attempts\)$/);
    expect(entries[0]!.content).not.toHaveProperty("httpStatus");
  });

  it("a retried node sends nothing again for rows already sent, and tries the failed ones again with the same ids", async () => {
    answer = (hit) => ((hit.verified as { phone: string }).phone.endsWith("2") ? { status: 422 } : { status: 200 });
    const rows = await dataset(CUSTOMERS);
    const first = await send({ columns: ["phone"] }, rows, ctxFor("run-d"));
    expect(first.metrics).toMatchObject({ sent: 4, failed: 1 });
    const firstId = hits.find((x) => (x.verified as { phone: string }).phone.endsWith("2"))!.headers["webhook-id"];

    hits = [];
    answer = () => ({ status: 200 });
    const again = await send({ columns: ["phone"] }, rows, ctxFor("run-d"));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.verified).toEqual({ phone: "+4915100000002" });
    expect(hits[0]!.headers["webhook-id"]).toBe(firstId);
    expect(again.metrics).toMatchObject({ sent: 1, failed: 0, alreadySent: 4, requests: 1 });
    expect((await ledgerOf("run-d")).map((e) => e.status)).toEqual(["sent", "sent", "sent", "sent", "sent"]);

    hits = [];
    const third = await send({ columns: ["phone"] }, rows, ctxFor("run-d"));
    expect(hits).toHaveLength(0);
    expect(third.metrics).toMatchObject({ sent: 0, alreadySent: 5, requests: 0 });

    // Another node of the same run is another action: it sends.
    await send({ columns: ["phone"] }, rows, ctxFor("run-d", "send-2"));
    expect(hits).toHaveLength(5);
  });

  it("batch mode POSTs JSON arrays of up to batchSize rows, with a key per row, and records each row", async () => {
    const rows = await dataset(CUSTOMERS);
    const res = await send({ columns: ["phone", "message"], batchSize: 2, keyField: "idempotency_key", concurrency: 1 }, rows, ctxFor("run-e"));

    expect(hits).toHaveLength(3);
    for (const hit of hits) expect(hit.verifyError).toBeNull();
    const arrays = hits.map((x) => x.verified as { phone: string; message: string; idempotency_key: string }[]);
    expect(arrays.map((a) => a.length)).toEqual([2, 2, 1]);
    expect(arrays.flat().map((r) => r.phone)).toEqual(["+4915100000001", "+4915100000002", "+4915100000003", "+4915100000004", "+4915100000005"]);
    expect(Object.keys(arrays[0]![0]!)).toEqual(["phone", "message", "idempotency_key"]);
    const keys = arrays.flat().map((r) => r.idempotency_key);
    expect(new Set(keys).size).toBe(5);
    expect(new Set(hits.map((x) => x.headers["webhook-id"])).size).toBe(3);

    expect(res.metrics).toMatchObject({ sent: 5, failed: 0, requests: 3 });
    const entries = await ledgerOf("run-e");
    expect(entries.map((e) => e.status)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
    // Rows of one request share its webhook-id.
    expect(entries[0]!.content).toMatchObject({ webhookId: hits[0]!.headers["webhook-id"] });
    expect(entries[1]!.content).toMatchObject({ webhookId: hits[0]!.headers["webhook-id"] });
  });

  it("template mode: each row's JSON from a Liquid template; a row it cannot make JSON of is recorded failed, not sent", async () => {
    const template = '{"to": {{ row.phone | json }}, "text": {{ row.message | append: "!" | json }}, "points": {{ row.points }}, "key": {{ idempotency_key | json }}}';
    const rows = await dataset(CUSTOMERS);
    const res = await send({ payload: "template", template, keyField: "idem" }, rows, ctxFor("run-i"));
    expect(hits).toHaveLength(5);
    for (const hit of hits) expect(hit.verifyError).toBeNull();
    const c1 = hits.map((x) => x.verified as Record<string, unknown>).find((b) => b.to === "+4915100000001")!;
    expect(c1).toEqual({ to: "+4915100000001", text: "Hello Ann!", points: 10, key: expect.stringMatching(/^msg_/), idem: c1.key });
    expect(hits.find((x) => (x.verified as { to: string }).to === "+4915100000001")!.headers["webhook-id"]).toBe(c1.key);
    expect(res.metrics).toMatchObject({ sent: 5, failed: 0 });

    // score is NULL for c2: "score": , is not JSON.
    hits = [];
    const broken = await send({ payload: "template", template: '{"score": {{ row.score }}}', batchSize: 10 }, rows, ctxFor("run-i", "broken"));
    expect(hits).toHaveLength(1);
    expect((hits[0]!.verified as unknown[]).length).toBe(4);
    expect(broken.metrics).toMatchObject({ sent: 4, failed: 1, requests: 1 });
    const failed = (await ledgerOf("run-i")).filter((e) => e.nodeId === "broken" && e.status === "failed");
    expect(failed.map((e) => [e.customerId, e.reason])).toEqual([["c2", "The template's output for this row is not valid JSON (values need | json)"]]);
  });

  it("refuses a template that names something other than row and idempotency_key, with its line and column", async () => {
    const rows = await dataset(CUSTOMERS);
    const err = await failure(send({ payload: "template", template: '{"to": {{ phone | json }}}' }, rows, ctxFor("run-i", "bad-template")));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("template");
    expect(err.message).toMatch(/line 1, column 11: unknown variable "phone"/);
    expect(hits).toHaveLength(0);
  });

  it("skips rows without a customer id and repeats of one, and says how many", async () => {
    const rows = await dataset(`SELECT * FROM (VALUES ('x1', 'a'), (NULL, 'b'), ('  ', 'c'), ('x1', 'd'), ('x2', 'e')) t(customer, message)`);
    const res = await send({ columns: ["message"] }, rows, ctxFor("run-g", "dupes"));
    expect(hits.map((x) => x.verified)).toEqual([{ message: "a" }, { message: "e" }]);
    expect(res.metrics).toMatchObject({ sent: 2, withoutCustomerId: 2, duplicates: 1 });
  });

  it("refuses to send unsigned through a connection without a signing secret, unless signing is off", async () => {
    const rows = await dataset(`SELECT * FROM (${CUSTOMERS}) WHERE customer = 'c5'`);
    const err = await failure(send({ connection: "unsigned" }, rows, ctxFor("run-g", "unsigned")));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/has no webhook signing secret/);
    expect(err.where).toBe("connection");
    expect(hits).toHaveLength(0);

    await send({ connection: "unsigned", sign: false, path: "push" }, rows, ctxFor("run-g", "unsigned"));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.path).toBe("/push");
    expect(hits[0]!.headers["webhook-signature"]).toBeUndefined();
    expect(hits[0]!.headers["webhook-id"]).toMatch(/^msg_/);
    expect(hits[0]!.headers["idempotency-key"]).toBe(hits[0]!.headers["webhook-id"]);
  });

  it("refuses unknown columns and a template payload without a template, naming the field", async () => {
    const rows = await dataset(CUSTOMERS);
    for (const [config, where] of [
      [{ customerId: "nope" }, "customerId"],
      [{ columns: ["phone", "nope"] }, "columns.1"],
      [{ payload: "template" }, "template"],
      [{ columns: ["phone"], keyField: "phone" }, "keyField"],
    ] as const) {
      const err = await failure(send(config, rows, ctxFor("run-g", "bad")));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe(where);
    }
    expect(hits).toHaveLength(0);
  });
});
