import { Client, Connection } from "@temporalio/client";
import Database from "better-sqlite3";
import { describe, expect, inject, it } from "vitest";
import { runs } from "../db/store";
import { nodeStatusQuery } from "../workflows/run-flow";
import { exportedFile, telcoFlow, writeFlow } from "./flows";
import { lastJsonLine, runCli, testStore } from "./support";

describe("the Telco example through Temporal", () => {
  it("runs every node, learns churn, and writes one score per customer", async () => {
    const crm = exportedFile("crm-telco.sqlite");
    const file = writeFlow("telco", telcoFlow({ crm, id: "telco-e2e" }));

    const res = await runCli(["run", file, "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    expect(summary.status).toBe("succeeded");
    expect(summary.workflowId).toBe(`run-${summary.runId}`);
    expect(summary.temporalUrl).toContain(`/workflows/${summary.workflowId}`);
    expect(summary.nodes.map((n: { id: string }) => n.id).sort()).toEqual(["customers", "metrics", "score", "train", "unique", "writeback"]);
    for (const n of summary.nodes) expect(n.status, `${n.id}: ${n.error}`).toBe("succeeded");
    const byId = Object.fromEntries(summary.nodes.map((n: { id: string }) => [n.id, n]));
    expect(byId.customers.rows).toBe(7043);
    expect(byId.score.rows).toBe(7043);
    const auc = byId.train.metrics.rocAuc;
    console.log(`Telco test ROC AUC through the example flow: ${auc.toFixed(4)}`);
    expect(auc).toBeGreaterThanOrEqual(0.8);
    // Progress per node went to stderr in --json mode.
    expect(res.stderr).toMatch(/running\s+train/);
    expect(res.stderr).toMatch(/succeeded\s+writeback/);

    const sor = new Database(crm, { readonly: true });
    const counts = sor.prepare("SELECT count(*) AS n, count(DISTINCT customerID) AS d, min(churn_score) AS lo, max(churn_score) AS hi FROM churn_scores").get() as { n: number; d: number; lo: number; hi: number };
    sor.close();
    expect(counts.n).toBe(7043);
    expect(counts.d).toBe(7043);
    expect(counts.lo).toBeGreaterThanOrEqual(0);
    expect(counts.hi).toBeLessThanOrEqual(1);
    expect(counts.hi).toBeGreaterThan(counts.lo);

    const row = await runs.row(testStore(), summary.runId);
    expect(row.status).toBe("succeeded");
    expect(row.temporalUrl).toBe(summary.temporalUrl);
    expect(row.flowVersion).toBe(1);

    const connection = await Connection.connect({ address: inject("temporalAddress") });
    try {
      const handle = new Client({ connection }).workflow.getHandle(summary.workflowId);
      const desc = await handle.describe();
      expect(desc.status.name).toBe("COMPLETED");
      expect(desc.searchAttributes.FlowId).toEqual(["telco-e2e"]);
      expect(desc.searchAttributes.FlowVersion).toEqual([1]);
      expect(desc.searchAttributes.TriggerKind).toEqual(["cli"]);
      expect(desc.memo?.flowId).toBe("telco-e2e");
      const states = await handle.query(nodeStatusQuery);
      expect(Object.values(states).map((s) => s.status)).toEqual(Array(6).fill("succeeded"));
    } finally {
      await connection.close();
    }
  });
});
