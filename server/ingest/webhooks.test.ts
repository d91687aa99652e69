// Flows' webhooks through the ingest server in-process, against a real SQLite store: a call signed
// by the reference Standard Webhooks library is stored as one inbox row; a bad signature, a stale
// timestamp, a replay and a body over the limit are refused (401, 401, 200 without a second row,
// 413); bearer tokens; unknown flows; a rotated secret applies within seconds; no encryption key.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, openSqliteStore, triggers, type Store } from "../../db/store";
import { asRole } from "../api/routers/test-support";
import { rotateWebhook } from "../services/webhooks";
import { createIngestServer } from "./server";
import { ENDPOINT_CACHE_MS } from "./webhooks";

let dir: string;
let store: Store;
let base: string;
let secret: string;
const servers: { close(cb: () => void): void }[] = [];
const keys = () => ({ dataDir: dir, env: {} });

async function start(opts: Parameters<typeof createIngestServer>[1] = {}): Promise<string> {
  const { server } = createIngestServer(store, { webhookKeys: keys(), ...opts });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const signed = (flowId: string, body: string, opts: { id?: string; at?: Date; secret?: string; url?: string } = {}) => {
  const id = opts.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const at = opts.at ?? new Date();
  const signature = new Webhook(opts.secret ?? secret).sign(id, at, body);
  return fetch(`${opts.url ?? base}/hooks/${flowId}`, {
    method: "POST",
    headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signature },
    body,
  });
};

const rows = async (flowId: string) => (await events.readInbox(store, 0, 10_000)).filter((r) => r.sourceId === `webhook:${flowId}`);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-webhooks-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  await triggers.register(store, "signed", { flowVersionId: "x", nodeId: "hook", kind: "webhook", config: { auth: "signature" } });
  await triggers.register(store, "tokened", { flowVersionId: "x", nodeId: "hook", kind: "webhook", config: { auth: "token" } });
  await triggers.register(store, "by-hand", { flowVersionId: "x", nodeId: "go", kind: "manual", config: {} });
  // The web app makes the key file in the data directory; the ingest process only reads it.
  secret = (await rotateWebhook(store, asRole("editor"), "signed", { ...keys(), create: true })).secret;
  base = await start();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("webhooks signed with Standard Webhooks", () => {
  it("stores a call signed by the reference library as one inbox row with its body", async () => {
    const body = JSON.stringify({ email: "ada@example.com", plan: "pro" });
    const res = await signed("signed", body, { id: "msg_first" });
    expect([res.status, await res.json()]).toEqual([200, { ok: true }]);
    const [row] = (await rows("signed")).filter((r) => r.messageId === "msg_first");
    expect(row).toMatchObject({ sourceId: "webhook:signed", messageId: "msg_first", type: "webhook", event: null, userId: null, anonymousId: null, payload: { body: { email: "ada@example.com", plan: "pro" } } });
    expect(Math.abs(row!.receivedAt - Date.now())).toBeLessThan(10_000);
    expect(row!.timestamp).toBe(row!.receivedAt);
    // An array is stored as it is: the trigger makes a row per item.
    expect((await signed("signed", JSON.stringify([{ a: 1 }, { a: 2 }]), { id: "msg_array" })).status).toBe(200);
    expect((await rows("signed")).find((r) => r.messageId === "msg_array")!.payload).toEqual({ body: [{ a: 1 }, { a: 2 }] });
  });

  it("refuses a wrong signature, a missing one and a timestamp 6 minutes old with 401, storing nothing", async () => {
    const before = (await rows("signed")).length;
    const wrong = await signed("signed", "{}", { secret: `whsec_${Buffer.from("another secret of 24 bytes!").toString("base64")}` });
    expect([wrong.status, (await wrong.json()).error]).toEqual([401, "The webhook-signature does not match this body, webhook-id and webhook-timestamp under this flow's secret"]);
    const stale = await signed("signed", "{}", { at: new Date(Date.now() - 6 * 60_000) });
    expect([stale.status, (await stale.json()).error]).toEqual([401, "The webhook-timestamp is more than 5 minutes old; sign the call again when sending it"]);
    const bare = await fetch(`${base}/hooks/signed`, { method: "POST", body: "{}" });
    expect([bare.status, (await bare.json()).error]).toEqual([401, "Sign the call as Standard Webhooks does: webhook-id, webhook-timestamp and webhook-signature headers"]);
    // A body changed after signing fails too.
    const id = "msg_tampered";
    const at = new Date();
    const tampered = await fetch(`${base}/hooks/signed`, {
      method: "POST",
      headers: { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign(id, at, '{"n":1}') },
      body: '{"n":2}',
    });
    expect(tampered.status).toBe(401);
    expect((await rows("signed")).length).toBe(before);
  });

  it("answers a replayed webhook-id 200 both times and stores it once", async () => {
    const body = JSON.stringify({ order: 42 });
    const at = new Date();
    const first = await signed("signed", body, { id: "msg_replayed", at });
    const again = await signed("signed", body, { id: "msg_replayed", at });
    expect([first.status, await first.json()]).toEqual([200, { ok: true }]);
    expect([again.status, await again.json()]).toEqual([200, { ok: true, duplicate: true }]);
    expect((await rows("signed")).filter((r) => r.messageId === "msg_replayed")).toHaveLength(1);
  });

  it("refuses a body over 500 KB with 413 and a body that is not JSON (or not an object or array) with 400", async () => {
    const big = JSON.stringify({ blob: "x".repeat(600 * 1024) });
    const res = await signed("signed", big, { id: "msg_big" });
    expect(res.status).toBe(413);
    expect((await rows("signed")).some((r) => r.messageId === "msg_big")).toBe(false);
    // Sent in chunks without a Content-Length: still answered 413 (not a dropped connection).
    const streamed = await new Promise<number | string>((resolve) => {
      const req = http.request(`${base}/hooks/signed`, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (r) => resolve(r.statusCode!));
      req.on("error", (err) => resolve(err.message));
      for (let i = 0; i < 12; i++) req.write("x".repeat(64 * 1024));
      req.end();
    });
    expect(streamed).toBe(413);
    expect((await signed("signed", "{not json")).status).toBe(400);
    const scalar = await signed("signed", "42");
    expect([scalar.status, (await scalar.json()).error]).toEqual([400, "The body must be a JSON object (one row) or an array (a row per item)"]);
  });

  it("takes a rotated secret within seconds and refuses the old one", async () => {
    const rotated = (await rotateWebhook(store, asRole("editor"), "signed", keys())).secret;
    expect(rotated).not.toBe(secret);
    await new Promise((r) => setTimeout(r, ENDPOINT_CACHE_MS + 100));
    expect((await signed("signed", "{}", { secret: rotated })).status).toBe(200);
    expect((await signed("signed", "{}")).status).toBe(401);
    secret = rotated;
  });

  it("answers 503 with a clear message when the ingest process has no encryption key, and creates none", async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), "loopwright-webhooks-nokey-"));
    try {
      const lines: string[] = [];
      const url = await start({ webhookKeys: { dataDir: empty, env: {} }, log: (l) => lines.push(l) });
      const res = await signed("signed", "{}", { url });
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/no encryption key/);
      expect(lines.join("\n")).toMatch(/LOOPWRIGHT_ENCRYPTION_KEY/);
      expect(lines.join("\n")).not.toContain(secret);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("webhooks with a bearer token", () => {
  it("takes the right token (with an Idempotency-Key as the call's id) and refuses a wrong or missing one", async () => {
    const refused = await fetch(`${base}/hooks/tokened`, { method: "POST", headers: { authorization: "Bearer wht_anything" }, body: "{}" });
    expect([refused.status, (await refused.json()).error]).toEqual([401, "This flow's webhook has no token yet; an editor creates one in the flow's trigger settings"]);
    const { secret: token } = await rotateWebhook(store, asRole("editor"), "tokened", keys());
    expect(token).toMatch(/^wht_/);
    await new Promise((r) => setTimeout(r, ENDPOINT_CACHE_MS + 100));
    const call = (authorization: string | null, extra: Record<string, string> = {}) =>
      fetch(`${base}/hooks/tokened`, { method: "POST", headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}), ...extra }, body: JSON.stringify({ hello: "world" }) });
    const ok = await call(`Bearer ${token}`, { "idempotency-key": "order-7" });
    expect([ok.status, await ok.json()]).toEqual([200, { ok: true }]);
    expect(await (await call(`Bearer ${token}`, { "idempotency-key": "order-7" })).json()).toEqual({ ok: true, duplicate: true });
    // Without an id, each call is new.
    expect((await call(`Bearer ${token}`)).status).toBe(200);
    const stored = await rows("tokened");
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ messageId: "order-7", type: "webhook", payload: { body: { hello: "world" } } });
    expect(stored[1]!.messageId).toMatch(/^[0-9a-f-]{36}$/);
    const wrong = await call("Bearer wht_wrong");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    expect((await call(null)).status).toBe(401);
    expect((await rows("tokened")).length).toBe(2);
  });
});

describe("webhook URLs", () => {
  it("answers 404 for a flow without a webhook trigger, and 405 for GET", async () => {
    const unknown = await fetch(`${base}/hooks/no-such-flow`, { method: "POST", body: "{}" });
    expect([unknown.status, (await unknown.json()).error]).toEqual([404, 'Flow "no-such-flow" takes no webhooks: its saved version does not start with "When another system calls"']);
    expect((await fetch(`${base}/hooks/by-hand`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${base}/hooks/Not_A_Flow%2F..`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${base}/hooks/signed`)).status).toBe(405);
  });
});
