import { Client, Connection, WorkflowFailedError } from "@temporalio/client";
import { CancelledFailure } from "@temporalio/common";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runs } from "../db/store";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { telcoFlow } from "./flows";
import { testStore, testEnv } from "./support";

describe("cancellation", () => {
  it("cancels a running flow: the node stops, downstream never starts, the run is recorded as cancelled", async () => {
    const settings = temporalSettings(testEnv());
    const flow = telcoFlow({ crm: path.join(inject("dataDir"), "crm-cancel.sqlite"), id: "telco-cancel" });
    // Long enough training that the cancel arrives while it runs.
    flow.nodes.find((n: { id: string }) => n.id === "train").config.iterations = 5000;
    const db = testStore();
    const registry = await loadRegistry();
    const saved = await saveFlowVersion(db, registry, flow, { flowId: flow.id });
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const started = await startRun(db, registry, client, settings, { versionId: saved.versionId });
      const node = (id: string) => runs.node(db, started.runId, id);
      const deadline = Date.now() + 60_000;
      while ((await node("train")).status !== "running") {
        if (Date.now() > deadline) throw new Error("train never started");
        await new Promise((r) => setTimeout(r, 50));
      }
      const handle = client.workflow.getHandle(started.workflowId);
      await handle.cancel();
      const err = await handle.result().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

      const run = await runs.row(db, started.runId);
      expect(run.status).toBe("cancelled");
      expect(run.finishedAt).not.toBeNull();
      expect((await node("train")).status).toBe("cancelled");
      expect((await node("writeback")).status).toBe("cancelled");
      expect((await node("writeback")).startedAt).toBeNull();
      expect((await node("unique")).status).toBe("succeeded");
      expect((await handle.describe()).status.name).toBe("CANCELLED");
      // The training activity itself stopped (heartbeats bring it the cancel within ~2 s): after
      // that, a live one would still write progress at least once a second.
      const stopBy = Date.now() + 15_000;
      while ((await node("train")).progress !== null) {
        if (Date.now() > stopBy) throw new Error("the training activity kept running after the cancel");
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 3_000));
      expect((await node("train")).progress).toBeNull();
      expect((await node("train")).status).toBe("cancelled");
    } finally {
      await connection.close();
    }
  });
});
