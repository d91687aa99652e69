// The ingest API in-process against a real SQLite store: Segment's event checks, deduplication by
// messageId, size limits, write keys, sentAt correction, and 429 (never a dropped event) when too
// many events wait for the database.
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, openSqliteStore, type Store } from "../../db/store";
import { asRole } from "../api/routers/test-support";
import { createSource, revokeSource } from "../services/sources";
import { normalise } from "./events";
import { createIngestServer } from "./server";

let dir: string;
let store: Store;
let base: string;
let key: string;
let stop: () => Promise<void>;
let sourceId: string;

const post = (p: string, body: unknown, writeKey: string | null = key, raw?: string) =>
  fetch(`${base}${p}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(writeKey ? { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}` } : {}) },
    body: raw ?? JSON.stringify(body),
  });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-ingest-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const src = await createSource(store, asRole("admin"), { name: "website" });
  key = src.writeKey;
  sourceId = src.id;
  const { server } = createIngestServer(store, { maxPending: 10 });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stop = () => new Promise((r) => server.close(() => r()));
});

afterAll(async () => {
  await stop?.();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Segment events", () => {
  it("names every problem of an event with its path and rule", () => {
    const out = normalise({ event: "", properties: "x", timestamp: "yesterday" }, "track", { sourceId: "s", receivedAt: 0 });
    expect("failed" in out && out.failed.reasons.map((r) => `${r.path} ${r.rule}`)).toEqual(["userId required", "event required", "properties type", "timestamp format"]);
    const alias = normalise({ userId: "u1" }, "alias", { sourceId: "s", receivedAt: 0 });
    expect("failed" in alias && alias.failed.reasons[0]!.message).toBe("an alias call needs the previousId it joins to userId");
    expect("failed" in normalise({ userId: "u" }, "launch", { sourceId: "s", receivedAt: 0 })).toBe(true);
  });

  it("corrects the sender's clock with sentAt: receivedAt - (sentAt - timestamp)", () => {
    const receivedAt = Date.parse("2026-12-01T12:00:00.000Z");
    const out = normalise({ userId: "u", event: "Bought", timestamp: "2026-12-01T09:59:00.000Z", sentAt: "2026-12-01T10:00:00.000Z" }, "track", { sourceId: "s", receivedAt });
    expect("row" in out && new Date(out.row.timestamp).toISOString()).toBe("2026-12-01T11:59:00.000Z");
    const noTime = normalise({ anonymousId: "a", event: "Viewed" }, "track", { sourceId: "s", receivedAt });
    expect("row" in noTime && noTime.row.timestamp).toBe(receivedAt);
  });
});

describe("the ingest API", () => {
  it("stores a track and an identify call, and a resent messageId only once", async () => {
    const before = await events.inboxCount(store, sourceId);
    const a = await post("/v1/track", { userId: "u1", event: "Signed Up", messageId: "m-1", properties: { plan: "pro" } });
    expect([a.status, await a.json()]).toEqual([200, { success: true, stored: 1, duplicates: 0 }]);
    const again = await post("/v1/track", { userId: "u1", event: "Signed Up", messageId: "m-1" });
    expect(await again.json()).toEqual({ success: true, stored: 0, duplicates: 1 });
    expect((await post("/v1/identify", { userId: "u1", traits: { email: "u1@example.com" }, messageId: "m-2" })).status).toBe(200);
    expect(await events.inboxCount(store, sourceId)).toBe(before + 2);
    const [row] = (await events.readInbox(store, 0, 1000)).filter((r) => r.messageId === "m-1");
    expect(row).toMatchObject({ type: "track", event: "Signed Up", userId: "u1", payload: { properties: { plan: "pro" } } });
  });

  it("refuses a bad single event with its reasons, keeps it as a failed event, and stores a batch's good events", async () => {
    const bad = await post("/v1/track", { event: "No one", messageId: "m-bad" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).reasons).toEqual([{ path: "userId", rule: "required", message: "give a userId or an anonymousId" }]);
    const batch = await post("/v1/batch", { batch: [{ type: "track", userId: "u2", event: "A", messageId: "b-1" }, { type: "track", userId: "u2", messageId: "b-2" }, { type: "page", anonymousId: "x", name: "Home", messageId: "b-3" }] });
    const body = await batch.json();
    expect(batch.status).toBe(200);
    expect(body).toMatchObject({ success: true, stored: 2, failed: [{ index: 1, reasons: [{ path: "event", rule: "required" }] }] });
    const failed = await events.listFailed(store, { sourceId });
    expect(failed.map((f) => f.messageId).sort()).toEqual(["b-2", "m-bad"]);
  });

  it("answers 401 without a write key, with an unknown one and a revoked one, and 413 over the size limits", async () => {
    expect((await post("/v1/track", { userId: "u", event: "x" }, null)).status).toBe(401);
    const unknown = await post("/v1/track", { userId: "u", event: "x" }, "wk_not_a_key");
    expect([unknown.status, (await unknown.json()).error]).toEqual([401, "This write key is not known here; an admin creates sources and their write keys under Sources"]);
    const big = await post("/v1/track", { userId: "u", event: "x", properties: { blob: "x".repeat(33 * 1024) } });
    expect(big.status).toBe(413);
    const bigBatch = await post("/v1/batch", { batch: Array.from({ length: 30 }, (_, i) => ({ type: "track", userId: "u", event: "x", messageId: `big-${i}`, properties: { blob: "y".repeat(20 * 1024) } })) });
    expect(bigBatch.status).toBe(413);
    expect((await post("/v1/track", {}, key, "{not json")).status).toBe(400);
    const other = await createSource(store, asRole("admin"), { name: "old app" });
    await revokeSource(store, asRole("admin"), other.id);
    const revoked = await post("/v1/track", { userId: "u", event: "x" }, other.writeKey);
    expect([revoked.status, (await revoked.json()).error]).toEqual([401, 'The write key of source "old app" was revoked; ask an admin for the new one']);
  });

  it("answers 429 with Retry-After when too many events wait for the database, and stores the admitted ones", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Another writer holds the database: the ingest's commit waits behind it.
    const holding = store.tx(() => gate);
    const batch = (n: number, prefix: string) => ({ batch: Array.from({ length: n }, (_, i) => ({ type: "track", userId: "u3", event: "Busy", messageId: `${prefix}-${i}` })) });
    const first = post("/v1/batch", batch(8, "wait"));
    await new Promise((r) => setTimeout(r, 100));
    const refused = await post("/v1/batch", batch(8, "over"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    release();
    await holding;
    expect((await first).status).toBe(200);
    const stored = (await events.readInbox(store, 0, 10_000)).filter((r) => r.event === "Busy").map((r) => r.messageId.split("-")[0]);
    expect(stored).toEqual(Array(8).fill("wait"));
  });
});
