// A journey's rules: nobody enters twice at the same time, nobody enters again when re-entry is
// "never", and the exit event takes a customer out wherever they wait (in a timer wait or a wait
// for an event); those who left get nothing more.
import { Client, Connection } from "@temporalio/client";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { profiles, runs } from "../db/store";
import { freePort } from "../lib/dev-server";
import { MailpitApi } from "../lib/mailpit";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { createSource } from "../server/services/sources";
import { startIngest, type IngestProcess } from "./support-process";
import { testEnv, testStore } from "./support";

const store = testStore();
const DOMAIN = "journey-rules.example";
const N = 50;
let ingest: IngestProcess | undefined;

beforeAll(async () => {
  ingest = await startIngest(testEnv(), await freePort());
}, 90_000);

afterAll(async () => {
  await ingest?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("journey rules", () => {
  it("enters a customer once at a time and never again, and lets the exit event take them out of timer and event waits", async () => {
    const registry = await loadRegistry();
    const settings = temporalSettings(testEnv());
    const ids = Array.from({ length: N }, (_, i) => `r${String(i).padStart(2, "0")}`);
    await profiles.writeTraits(store, ids.map((id) => ({ userId: id, traits: { email: `${id}@${DOMAIN}`, consent: { email: true } } })));
    const csv = path.join(inject("dataDir"), "journey-rules.csv");
    writeFileSync(csv, ["user_id", ...ids].join("\n") + "\n");
    const { writeKey } = await createSource(store, asRole("admin"), { name: "rules-shop" });
    const cancel = async (who: string[]) => {
      const res = await fetch(`${ingest!.url}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}` },
        body: JSON.stringify({ batch: who.map((id) => ({ type: "track", userId: id, event: "Subscription Cancelled", messageId: `c-${id}` })) }),
      });
      expect(res.status).toBe(200);
    };

    const at = { x: 0, y: 0 };
    const flow = {
      id: "journey-rules",
      name: "Journey rules",
      nodes: [
        { id: "customers", type: "source.csv-file@1", position: at, config: { path: csv } },
        { id: "rules", type: "control.entry@1", position: at, config: { customerId: "user_id", reentry: "never", exitEvent: "Subscription Cancelled" } },
        { id: "pause", type: "control.wait@1", position: at, config: { mode: "for", amount: 8, unit: "seconds", customerId: "user_id" } },
        { id: "bought", type: "control.wait-event@1", position: at, config: { customerId: "user_id", event: "Order Completed", timeout: 12, unit: "seconds" } },
        { id: "nudge", type: "action.send-email@1", position: at, config: { connection: "mailpit", customerId: "user_id", subject: "still thinking?", html: "<p>?</p>", text: "?", campaign: "rules" } },
      ],
      edges: [
        { id: "e1", source: "customers", sourceHandle: "rows", target: "rules", targetHandle: "rows" },
        { id: "e2", source: "rules", sourceHandle: "rows", target: "pause", targetHandle: "rows" },
        { id: "e3", source: "pause", sourceHandle: "rows", target: "bought", targetHandle: "rows" },
        { id: "e4", source: "bought", sourceHandle: "timedOut", target: "nudge", targetHandle: "rows" },
      ],
    };
    const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const start = () => startRun(store, registry, client, settings, { versionId: saved.versionId });
      const entered = (runId: string) => until(`run ${runId}'s entry`, async () => {
        const n = await runs.node(store, runId, "rules");
        return n.status === "succeeded" && (n.metrics as { entered: number; notEntered?: Record<string, number> });
      });

      const first = await start();
      expect(await entered(first.runId)).toEqual({ entered: N });
      // A second run while they are in the journey enters nobody.
      const second = await start();
      expect(await entered(second.runId)).toEqual({ entered: 0, notEntered: { "already in the journey": N } });
      // Five leave during the timer wait, five more while waiting for an order.
      await cancel(ids.slice(0, 5));
      await until("the cohort waiting for orders", async () => {
        const part = (await runs.list(store, { flowId: flow.id, limit: 50 })).find((r) => r.trigger?.parent?.node === "pause" && r.id.startsWith(first.runId));
        return part && (await runs.node(store, part.id, "bought")).status === "waiting";
      });
      await cancel(ids.slice(5, 10));
      expect((await client.workflow.getHandle(first.workflowId).result()).status).toBe("succeeded");

      const got = (await new MailpitApi(inject("mailpitUrl")).messages()).filter((m) => m.To[0]?.Address.endsWith(`@${DOMAIN}`));
      expect(got.map((m) => m.To[0]!.Address.split("@")[0]).sort()).toEqual(ids.slice(10));

      // Re-entry "never": after the journey, nobody enters again.
      const third = await start();
      expect(await entered(third.runId)).toEqual({ entered: 0, notEntered: { "entered before": N } });
      await client.workflow.getHandle(third.workflowId).result();
    } finally {
      await connection.close();
    }
  }, 180_000);
});
