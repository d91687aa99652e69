// The tracking plan at the door: events are checked against their entry's JSON Schema as they
// arrive, failures are kept with every reason and counted per reason, unplanned events follow the
// source's policy, and failed events are let in by a replay once the plan is fixed.
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, openSqliteStore, type Store } from "../../db/store";
import { asRole } from "../api/routers/test-support";
import { createSource } from "../services/sources";
import { failureSummary, replayFailed, savePlanEntry } from "../services/tracking-plan";
import { createIngestServer } from "./server";

let dir: string;
let store: Store;
let base: string;
let close: () => Promise<void>;
const keys: Record<string, string> = {};
const ids: Record<string, string> = {};
const editor = asRole("editor");

const ORDER = {
  type: "object",
  required: ["orderId", "total"],
  properties: { orderId: { type: "string", pattern: "^o-" }, total: { type: "number", minimum: 0 }, currency: { enum: ["EUR", "USD"] } },
};

const send = (source: string, p: string, body: unknown) =>
  fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${keys[source]}:`).toString("base64")}` }, body: JSON.stringify(body) });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-plan-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  for (const [name, policy] of [["shop", "accept"], ["strict", "refuse"], ["watched", "flag"]] as const) {
    const s = await createSource(store, asRole("admin"), { name });
    await events.setUnplanned(store, s.id, policy);
    keys[name] = s.writeKey;
    ids[name] = s.id;
  }
  await savePlanEntry(store, editor, { event: "Order Completed", schema: ORDER });
  await savePlanEntry(store, editor, { event: "$identify", schema: { type: "object", properties: { age: { type: "integer", minimum: 0 } } } });
  const { server } = createIngestServer(store);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((r) => server.close(() => r()));
});

afterAll(async () => {
  await close?.();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the tracking plan", () => {
  it("refuses to save a schema that does not compile, saying why", async () => {
    await expect(savePlanEntry(store, editor, { event: "Broken", schema: { type: "objekt" } })).rejects.toThrow(/The schema is not valid JSON Schema: .*type/);
    await expect(savePlanEntry(store, editor, { event: "Broken", schema: { type: "object", propertees: {} } })).rejects.toThrow(/strict mode: unknown keyword: "propertees"/);
  });

  it("checks each event as it arrives and keeps a failing one with every reason", async () => {
    const bad = await send("shop", "/v1/track", { userId: "u1", event: "Order Completed", messageId: "p-1", properties: { orderId: "x-9", total: -5, currency: "GBP" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).reasons.map((r: { path: string; rule: string; message: string }) => `${r.path} ${r.rule}: ${r.message}`).sort()).toEqual([
      'properties.currency enum: must be one of: "EUR", "USD"',
      'properties.orderId pattern: must match pattern "^o-"',
      "properties.total minimum: must be >= 0",
    ]);
    const missing = await send("shop", "/v1/batch", {
      batch: [
        { type: "track", userId: "u2", event: "Order Completed", messageId: "p-2", properties: { total: 12 } },
        { type: "track", userId: "u2", event: "Order Completed", messageId: "p-3", properties: { orderId: "o-3", total: 12, currency: "EUR" } },
        { type: "identify", userId: "u2", messageId: "p-4", traits: { age: -1 } },
      ],
    });
    expect(await missing.json()).toMatchObject({ stored: 1, failed: [{ index: 0, reasons: [{ path: "properties.orderId", rule: "required" }] }, { index: 2, reasons: [{ path: "traits.age", rule: "minimum" }] }] });
    const summary = await failureSummary(store, ids.shop);
    expect(summary.map((s) => [s.path, s.rule, s.count])).toEqual(
      expect.arrayContaining([
        ["properties.orderId", "required", 1],
        ["properties.total", "minimum", 1],
        ["traits.age", "minimum", 1],
      ]),
    );
  });

  it("accepts, flags or refuses an event the plan does not have, as the source says", async () => {
    const event = { userId: "u3", event: "Coupon Clipped", properties: {} };
    expect((await send("shop", "/v1/track", { ...event, messageId: "u-1" })).status).toBe(200);
    expect((await send("watched", "/v1/track", { ...event, messageId: "u-2" })).status).toBe(200);
    const refused = await send("strict", "/v1/track", { ...event, messageId: "u-3" });
    expect([refused.status, (await refused.json()).reasons[0].rule]).toEqual([400, "unplanned"]);
    const rows = (await events.readInbox(store, 0, 1000)).filter((r) => r.event === "Coupon Clipped");
    expect(rows.map((r) => [r.messageId, r.unplanned])).toEqual([
      ["u-1", false],
      ["u-2", true],
    ]);
  });

  it("lets failed events in once the plan is fixed, and only once", async () => {
    const before = await events.inboxCount(store, ids.shop);
    // The senders' currencies and order ids were right after all; negative totals are refunds.
    await savePlanEntry(store, editor, { event: "Order Completed", schema: { type: "object", required: ["total"], properties: { total: { type: "number" } } } });
    const first = await replayFailed(store, editor, { sourceId: ids.shop });
    expect(first).toMatchObject({ tried: 3, replayed: 2, stillFailing: 1 }); // p-1 and p-2 now pass; traits.age still fails
    expect(await events.inboxCount(store, ids.shop)).toBe(before + 2);
    const again = await replayFailed(store, editor, { sourceId: ids.shop });
    expect(again).toMatchObject({ tried: 1, replayed: 0 });
    expect((await failureSummary(store, ids.shop)).map((s) => s.path)).toEqual(["traits.age"]);
  });
});
