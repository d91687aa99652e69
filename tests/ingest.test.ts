// The ingest process as it runs under `npm start`, fed by Segment's own Node library: thousands of
// track and identify calls in batches, resent messageIds stored once, and a kill -9 of the ingest
// process while events flow: the library retries, nothing accepted is lost, nothing is stored twice.
import { Analytics } from "@segment/analytics-node";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, openSqliteStore, type Store } from "../db/store";
import { freePort } from "../lib/dev-server";
import { asRole } from "../server/api/routers/test-support";
import { createSource } from "../server/services/sources";
import { startIngest, type IngestProcess } from "./support-process";

let dir: string;
let store: Store;
let env: NodeJS.ProcessEnv;
let port: number;
let ingest: IngestProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-ingest-it-"));
  env = { ...process.env, LOOPWRIGHT_DATA_DIR: dir };
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  port = await freePort();
  ingest = await startIngest(env, port);
}, 90_000);

afterAll(async () => {
  await ingest?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = (writeKey: string) => new Analytics({ writeKey, host: `http://127.0.0.1:${port}`, flushAt: 100, flushInterval: 200, maxRetries: 20 });
const messageIds = async (sourceId: string) => (await events.readInbox(store, 0, 100_000)).filter((r) => r.sourceId === sourceId).map((r) => r.messageId);

describe("the ingest process with @segment/analytics-node", () => {
  it("stores 5,000 track and identify calls once each, also when 500 are sent again", async () => {
    const { writeKey, id } = await createSource(store, asRole("admin"), { name: "web shop" });
    const analytics = client(writeKey);
    for (let i = 0; i < 4_000; i++) analytics.track({ userId: `u${i % 700}`, event: i % 2 ? "Product Viewed" : "Order Completed", properties: { n: i }, messageId: `t-${i}` });
    for (let i = 0; i < 1_000; i++) analytics.identify({ userId: `u${i}`, traits: { email: `u${i}@example.com` }, messageId: `i-${i}` });
    for (let i = 0; i < 500; i++) analytics.track({ userId: `u${i}`, event: "Order Completed", messageId: `t-${i * 2}` }); // resent
    await analytics.closeAndFlush({ timeout: 60_000 });
    const ids = await messageIds(id);
    expect(ids.length).toBe(5_000);
    expect(new Set(ids).size).toBe(5_000);
    const rows = await events.readInbox(store, 0, 100_000);
    expect(rows.filter((r) => r.sourceId === id && r.type === "identify").length).toBe(1_000);
  }, 120_000);

  it("loses nothing and stores nothing twice when the ingest process is killed with SIGKILL while events flow", async () => {
    const { writeKey, id } = await createSource(store, asRole("admin"), { name: "mobile app" });
    const analytics = client(writeKey);
    const sent = 3_000;
    for (let i = 0; i < sent; i++) {
      analytics.track({ anonymousId: `a${i % 300}`, event: "Screen Viewed", messageId: `k-${i}` });
      if (i === 1_500) {
        await new Promise((r) => setTimeout(r, 300)); // some batches are in flight or stored
        await ingest!.stop("SIGKILL");
        ingest = await startIngest(env, port);
      }
    }
    await analytics.closeAndFlush({ timeout: 90_000 });
    const ids = await messageIds(id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(sent);
  }, 180_000);
});
