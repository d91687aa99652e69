// A wait for an event holds customers in a workflow of its own, which continues as new before its
// history grows long (here after 20 events instead of 10,000): releases keep coming through across
// the new executions, and at the deadline the rest time out; nobody is taken twice.
import { Client, Connection } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ParquetDatasetStore } from "../db/dataset-store";
import { journeys } from "../db/store";
import { freePort } from "../lib/dev-server";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { createSource } from "../server/services/sources";
import { compileGraph } from "../workflows/graph/compile";
import { holderIdOf } from "../workflows/graph/plan";
import type { HoldInput } from "../workflows/hold-for-event";
import { startIngest, type IngestProcess } from "./support-process";
import { testEnv, testStore } from "./support";

const store = testStore();
let ingest: IngestProcess | undefined;
let writeKey = "";

beforeAll(async () => {
  ingest = await startIngest(testEnv(), await freePort());
  writeKey = (await createSource(store, asRole("admin"), { name: "hold-continue" })).writeKey;
}, 90_000);

async function ping(id: string, messageId: string) {
  const res = await fetch(`${ingest!.url}/v1/track`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}` },
    body: JSON.stringify({ userId: id, event: "Ping", messageId }),
  });
  expect(res.status).toBe(200);
}

afterAll(async () => {
  await ingest?.stop();
});

describe("a long wait for an event", () => {
  it("continues as new while releases come in, and times out the rest at the deadline", async () => {
    const registry = await loadRegistry();
    const settings = temporalSettings(testEnv());
    const ids = Array.from({ length: 10 }, (_, i) => `hc${i}`);
    const graph = {
      id: "hold-continue",
      name: "Hold continue",
      nodes: [
        { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: "unused.csv" } },
        { id: "wait", type: "control.wait-event@1", position: { x: 0, y: 0 }, config: { customerId: "user_id", event: "Ping", timeout: 1, unit: "days" } },
      ],
      edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "wait", targetHandle: "rows" }],
    };
    const plan = compileGraph(graph, registry, { id: graph.id, version: 1 });
    const node = plan.nodes.find((n) => n.id === "wait")!;
    const runId = `hold-continue-${Date.now()}`;
    const rows = await new ParquetDatasetStore(inject("dataDir"), store, { runId, nodeId: "customers" }).create(`SELECT * FROM (VALUES ${ids.map((id) => `('${id}')`).join(", ")}) AS t(user_id)`);
    const deadline = Date.now() + 25_000;
    const workflowId = holderIdOf(runId, "wait");
    await journeys.hold(
      store,
      { id: `${runId}:wait`, runId, nodeId: "wait", flowId: graph.id, workflowId, event: "Ping", conditions: [], match: "all", since: Date.now(), deadline },
      ids.map((customerId) => ({ customerId, profileId: null })),
    );
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const input: HoldInput = { runId, plan, node, inputs: { rows }, deadline, paths: {}, historyLimit: 20 };
      const handle = await client.workflow.start("holdForEvent", { taskQueue: inject("taskQueue"), workflowId, args: [input] });
      const firstRun = handle.firstExecutionRunId;
      // Four customers order one after the other, each released in a take of its own.
      for (const id of ids.slice(0, 4)) {
        await ping(id, `ping-${runId}-${id}`);
        await new Promise((r) => setTimeout(r, 2_500));
      }
      const result = (await client.workflow.getHandle(workflowId).result()) as { released: number; timedOut: number };
      const executions: string[] = [];
      for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) executions.push(w.runId);
      expect(executions.length).toBeGreaterThan(1); // it continued as new
      expect(executions).toContain(firstRun);
      expect(result.released).toBe(4);
      expect(result.timedOut).toBe(6);
      const counts = await journeys.counts(store, [runId]);
      expect(Object.fromEntries(counts.map((c) => [c.status, c.n]))).toEqual({ taken: 4, "timed out": 6 });
    } finally {
      await connection.close();
    }
  }, 120_000);

  it("closes a wait whose run is long gone, so the pump stops signalling it", async () => {
    const runId = `gone-${Date.now()}`;
    const waitId = `${runId}:wait`;
    const hour = 3_600_000;
    // Held since 11 minutes ago by a workflow that does not exist (its run was terminated).
    await journeys.hold(
      store,
      { id: waitId, runId, nodeId: "wait", flowId: "gone", workflowId: holderIdOf(runId, "wait"), event: "Ping", conditions: [], match: "all", since: Date.now() - 11 * 60_000, deadline: Date.now() + hour },
      [{ customerId: `${runId}-c`, profileId: null }],
    );
    expect((await journeys.open(store)).map((w) => w.id)).toContain(waitId);
    await ping(`${runId}-c`, `ping-${runId}`);
    const deadline = Date.now() + 30_000;
    while ((await journeys.open(store)).some((w) => w.id === waitId)) {
      if (Date.now() > deadline) throw new Error("the wait of a gone workflow was never closed");
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 60_000);
});
