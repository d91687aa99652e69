// A webhook starts a flow, end to end: a sender using the reference Standard Webhooks library posts
// to the ingest process, the worker's pump turns the call into a cohort, and the flow's trigger
// node outputs the body as rows. A replayed webhook-id is answered 200 and runs nothing again; a bad
// signature, a stale timestamp and a body over the limit are refused.
import { DuckDBInstance } from "@duckdb/node-api";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runs, triggers } from "../db/store";
import { freePort } from "../lib/dev-server";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { saveFlowVersion } from "../server/services/flows";
import { applyTrigger } from "../server/services/triggers";
import { rotateWebhook } from "../server/services/webhooks";
import { startIngest, type IngestProcess } from "./support-process";
import { testEnv, testStore } from "./support";

let ingest: IngestProcess | undefined;
const store = testStore();

beforeAll(async () => {
  ingest = await startIngest(testEnv(), await freePort());
}, 90_000);

afterAll(async () => {
  await ingest?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a webhook trigger", () => {
  it("runs the flow once per call, with the body as rows, and refuses what it must", async () => {
    const registry = await loadRegistry();
    const graph = {
      id: "crm-hook",
      name: "CRM hook",
      nodes: [
        { id: "hook", type: "trigger.webhook@1", position: { x: 0, y: 0 }, config: { auth: "signature", cohortSeconds: 0.2 } },
        { id: "pass", type: "control.passthrough@1", position: { x: 200, y: 0 }, config: {} },
      ],
      edges: [{ source: "hook", sourceHandle: "rows", target: "pass", targetHandle: "rows" }],
    };
    const saved = await saveFlowVersion(store, registry, graph, { flowId: graph.id });
    await applyTrigger(store, registry, null, saved, graph as never);
    const { secret } = await rotateWebhook(store, asRole("editor"), graph.id, { dataDir: inject("dataDir") });
    const url = `${ingest!.url}/hooks/${graph.id}`;
    const send = (id: string, body: string, at = new Date(), key = secret) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": new Webhook(key).sign(id, at, body) },
        body,
      });

    const body = JSON.stringify([
      { email: "ann@example.com", plan: "pro", seats: 12 },
      { email: "bob@example.com", plan: "free", seats: 1 },
    ]);
    expect((await send("msg_1", body)).status).toBe(200);
    const run = await (async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [r] = await runs.list(store, { flowId: graph.id });
        if (r && r.status === "succeeded") return r;
        if (Date.now() > deadline) throw new Error(`no finished run for the webhook call\n${ingest!.output().slice(-2000)}`);
        await sleep(200);
      }
    })();
    expect(run.triggerKind).toBe("webhook");
    const out = (await runs.node(store, run.id, "hook")).outputs as Record<string, { path: string }>;
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    try {
      const file = path.join(inject("dataDir"), out.rows!.path).replace(/'/g, "''");
      const rows = (await c.runAndReadAll(`SELECT webhook_id, email, plan, seats FROM read_parquet('${file}') ORDER BY email`)).getRowObjectsJS();
      expect(rows).toEqual([
        { webhook_id: "msg_1", email: "ann@example.com", plan: "pro", seats: 12n },
        { webhook_id: "msg_1", email: "bob@example.com", plan: "free", seats: 1n },
      ]);
    } finally {
      c.closeSync();
      db.closeSync();
    }

    // The same call again: accepted, not run again.
    const replay = await send("msg_1", body);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true });
    expect((await send("msg_bad", body, new Date(), "whsec_" + Buffer.from("not the secret at all, no").toString("base64"))).status).toBe(401);
    expect((await send("msg_old", body, new Date(Date.now() - 6 * 60_000))).status).toBe(401);
    expect((await send("msg_big", JSON.stringify({ blob: "x".repeat(600_000) }))).status).toBe(413);
    await sleep(2_000); // longer than the cohort window and several pump passes
    expect((await runs.list(store, { flowId: graph.id })).length).toBe(1);
    expect((await triggers.cohortsOf(store, graph.id)).length).toBe(1);
  }, 180_000);
});
