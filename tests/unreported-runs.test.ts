// A run whose workflow is terminated from outside (the Temporal UI) cannot record its own end; the
// app notices when the run is read and records it, instead of showing "running" forever.
import { Client, Connection } from "@temporalio/client";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import { describe, expect, inject, it } from "vitest";
import { runs } from "../db/store";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import type { AppRouter } from "../server/api/root";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { telcoFlow } from "./flows";
import { authHeaders, testEnv, testStore } from "./support";

describe("a run stopped from outside Loopwright", () => {
  it("is recorded as failed, with the reason, the next time it is read", async () => {
    // A task queue no worker polls: the run stays queued until it is terminated.
    const settings = temporalSettings(testEnv({ LOOPWRIGHT_TASK_QUEUE: "nobody-polls-here" }));
    const store = testStore();
    const registry = await loadRegistry();
    const flow = telcoFlow({ crm: "unused.sqlite", id: "telco-terminated" });
    const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
    const connection = await Connection.connect({ address: settings.address });
    const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${inject("webUrl")}/api/trpc`, transformer: superjson, headers: authHeaders() })] });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const started = await startRun(store, registry, client, settings, { versionId: saved.versionId });
      // Still open in Temporal: reading it changes nothing.
      expect((await api.run.get.query({ runId: started.runId })).run.status).toBe("queued");

      await client.workflow.getHandle(started.workflowId).terminate("stopped by an admin");
      // The app checks each run at most every 10 s; the first read above was the check.
      const deadline = Date.now() + 30_000;
      let detail = await api.run.get.query({ runId: started.runId });
      while (detail.run.status === "queued" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        detail = await api.run.get.query({ runId: started.runId });
      }
      expect(detail.run.status).toBe("failed");
      expect(detail.run.error).toContain("terminated in Temporal");
      expect(detail.run.finishedAt).not.toBeNull();
      expect(detail.nodes.every((n) => n.status === "skipped")).toBe(true);
      expect((await runs.row(store, started.runId)).status).toBe("failed");
    } finally {
      await connection.close();
    }
  });
});
