import { Client, Connection } from "@temporalio/client";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runs } from "../db/store";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { exportedFile, telcoFlow } from "./flows";
import { startWorker, testStore, testEnv } from "./support";

describe("durability", () => {
  it("finishes the run on a new worker after the worker is killed mid-node", async () => {
    // Its own task queue on the shared store: no inbox pump here, or it could start other tests'
    // event runs on a queue whose worker this test kills.
    const env = testEnv({ LOOPWRIGHT_TASK_QUEUE: "durability", LOOPWRIGHT_PUMP: "0" });
    const settings = temporalSettings(env);
    const crm = exportedFile("crm-durability.sqlite");
    const flow = telcoFlow({ crm, id: "telco-durability" });
    // A short heartbeat timeout so the server notices the dead worker within seconds.
    flow.nodes.find((n: { id: string }) => n.id === "train").options = { heartbeatTimeout: "4 seconds" };

    const db = testStore();
    const registry = await loadRegistry();
    const saved = await saveFlowVersion(db, registry, flow, { flowId: flow.id });
    const first = await startWorker(env);
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const started = await startRun(db, registry, client, settings, { versionId: saved.versionId });
      const trainRow = () => runs.node(db, started.runId, "train");

      const deadline = Date.now() + 120_000;
      while ((await trainRow()).status !== "running") {
        if (Date.now() > deadline) throw new Error(`train never started:\n${first.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await first.stop("SIGKILL");
      expect(first.proc.signalCode).toBe("SIGKILL");
      expect((await trainRow()).status).toBe("running"); // killed in the middle of the node

      const second = await startWorker(env);
      try {
        await client.workflow.getHandle(started.workflowId).result();
      } finally {
        await second.stop();
      }
      expect((await runs.row(db, started.runId)).status).toBe("succeeded");
      const train = await trainRow();
      expect(train.status).toBe("succeeded");
      expect(train.attempt).toBeGreaterThanOrEqual(2);

      const sor = new Database(crm, { readonly: true });
      const counts = sor.prepare("SELECT count(*) AS n, count(DISTINCT customerID) AS d FROM churn_scores").get() as Record<string, number>;
      const writes = sor.prepare("SELECT count(*) AS n FROM _loopwright_writes").get() as { n: number };
      sor.close();
      expect(counts).toEqual({ n: 7043, d: 7043 });
      expect(writes.n).toBe(1);
    } finally {
      await first.stop("SIGKILL");
      await connection.close();
    }
  });
});
