// Batch learning meets customer profiles: the Telco flow writes each customer's tenure and churn
// score into their profile, and an audience of "tenure under 12 months and churn score above 0.7"
// starts a flow for exactly those customers, then again only for the ones who entered since.
import { Client, Connection } from "@temporalio/client";
import { DuckDBInstance } from "@duckdb/node-api";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { profiles, runs, triggers } from "../db/store";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { applyTrigger } from "../server/services/triggers";
import { exportedFile, telcoFlow } from "./flows";
import { testEnv, testStore } from "./support";

const store = testStore();

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function duck<T>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const parquet = (ref: { path: string }) => `read_parquet('${path.join(inject("dataDir"), ref.path).replace(/'/g, "''")}')`;

describe("an audience on profile traits written by a flow", () => {
  it("starts a flow for exactly the customers in it, then only for new entrants", async () => {
    const registry = await loadRegistry();
    const settings = temporalSettings(testEnv());
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });

      // The Telco flow, with its scores also written to each customer's profile.
      const telco = telcoFlow({ crm: exportedFile("crm-audience.sqlite"), id: "telco-profiles" });
      telco.nodes.push({ id: "profiles", type: "action.write-profiles@1", position: { x: 900, y: 200 }, config: { userId: "customerID", traits: ["tenure", "churn_score"] } });
      telco.edges.push({ id: "e7", source: "score", sourceHandle: "rows", target: "profiles", targetHandle: "rows" });
      const savedTelco = await saveFlowVersion(store, registry, telco, { flowId: telco.id });
      const telcoRun = await startRun(store, registry, client, settings, { versionId: savedTelco.versionId });
      await client.workflow.getHandle(telcoRun.workflowId).result();
      const written = await runs.node(store, telcoRun.runId, "profiles");
      expect(written.metrics).toMatchObject({ profilesWritten: 7043, rowsWithoutUserId: 0 });

      // Who should be in the audience, worked out by DuckDB from the scores the flow produced.
      const scored = (await runs.node(store, telcoRun.runId, "score")).outputs as Record<string, { path: string }>;
      const expected = (await duck<{ id: string }>(`SELECT customerID AS id FROM ${parquet(scored.rows!)} WHERE tenure < 12 AND churn_score > 0.7`)).map((r) => r.id).sort();
      expect(expected.length).toBeGreaterThan(50);

      const graph = {
        id: "win-back-new-risky",
        name: "New and at risk",
        nodes: [
          {
            id: "risky",
            type: "trigger.audience@1",
            position: { x: 0, y: 0 },
            config: {
              conditions: [
                { on: "trait", field: "tenure", operator: "<", value: "12" },
                { on: "trait", field: "churn_score", operator: ">", value: "0.7" },
              ],
              everyMinutes: 0.05,
            },
          },
          { id: "pass", type: "control.passthrough@1", position: { x: 200, y: 0 }, config: {} },
        ],
        edges: [{ source: "risky", sourceHandle: "customers", target: "pass", targetHandle: "rows" }],
      };
      const saved = await saveFlowVersion(store, registry, graph, { flowId: graph.id });
      await applyTrigger(store, registry, null, saved, graph as never);

      const first = await until("the first evaluation's run", async () => {
        const [c] = await triggers.cohortsOf(store, graph.id);
        return c?.startedAt ? c : undefined;
      });
      const firstRun = await client.workflow.getHandle(`run-${first.id}`).result();
      expect(firstRun.status).toBe("succeeded");
      const out = (await runs.node(store, first.id, "risky")).outputs as Record<string, { path: string; rows: number }>;
      const got = (await duck<{ id: string; change: string }>(`SELECT user_id AS id, change FROM ${parquet(out.customers!)}`)).sort((a, b) => a.id.localeCompare(b.id));
      expect(got.map((r) => r.id)).toEqual(expected);
      expect(new Set(got.map((r) => r.change))).toEqual(new Set(["entered"]));
      expect((await runs.row(store, first.id)).trigger).toMatchObject({ kind: "audience", size: expected.length });

      // One new customer at risk, one new customer who is not, and one member who is no longer at risk.
      await profiles.writeTraits(store, [
        { userId: "new-risky", traits: { tenure: 2, churn_score: 0.93 } },
        { userId: "new-loyal", traits: { tenure: 40, churn_score: 0.1 } },
        { userId: expected[0]!, traits: { churn_score: 0.2 } },
      ]);
      const second = await until("the next evaluation with an entrant", async () => {
        const list = await triggers.cohortsOf(store, graph.id);
        const last = list[list.length - 1];
        return list.length > 1 && last?.startedAt ? last : undefined;
      });
      await client.workflow.getHandle(`run-${second.id}`).result();
      const out2 = (await runs.node(store, second.id, "risky")).outputs as Record<string, { path: string }>;
      const got2 = await duck<{ id: string; change: string }>(`SELECT user_id AS id, change FROM ${parquet(out2.customers!)}`);
      expect(got2).toEqual([{ id: "new-risky", change: "entered" }]);
      // The member who left is out of the audience, so a later return would count as entering again.
      const members = await triggers.audience(store, graph.id);
      expect(members.size).toBe(expected.length);
      expect(members.has((await profiles.byIdentity(store, expected[0]!))!)).toBe(false);
    } finally {
      await connection.close();
    }
  }, 400_000);
});
