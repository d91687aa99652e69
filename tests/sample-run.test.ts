// "Run up to here on a sample", through the API, the test Temporal server and worker, and DuckDB:
// the Telco churn flow (7,043 customers) run up to a node on a sample of 1,000 rows per source.
// The sample is the same rows each time, in the file's order; a run that would reach an action is
// refused before it starts; a model trained on a sample is saved apart and never made current.
import { Client, Connection } from "@temporalio/client";
import { createTRPCClient, httpLink } from "@trpc/client";
import { readFileSync } from "node:fs";
import path from "node:path";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ParquetDatasetStore } from "../db/dataset-store";
import { models, runs } from "../db/store";
import { projectRoot } from "../lib/paths";
import type { DatasetRef } from "../nodes/sdk/types";
import type { AppRouter } from "../server/api/root";
import { telcoFlow } from "./flows";
import { authHeaders, testStore } from "./support";

const store = testStore();
const stamp = Date.now().toString(36);
const FLOW = `sample-${stamp}`;
const MODEL = `telco-sample-${stamp}`;
const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${inject("webUrl")}/api/trpc`, transformer: superjson, headers: authHeaders() })] });

// The customer IDs of the Telco file in its order, read here by hand (first column, no quotes in it).
const telcoIds = readFileSync(path.join(projectRoot, "examples", "data", "telco-customer-churn.csv"), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => line.split(",")[0]!);

let connection: Connection;
let client: Client;

beforeAll(async () => {
  expect(telcoIds).toHaveLength(7043);
  const flow = telcoFlow({ crm: "crm-sample.sqlite", id: FLOW });
  flow.nodes.find((n: { id: string }) => n.id === "train").config.modelName = MODEL;
  await api.flow.save.mutate({ graph: flow, flowId: FLOW });
  connection = await Connection.connect({ address: inject("temporalAddress") });
  client = new Client({ connection });
}, 60_000);

afterAll(async () => {
  await connection?.close();
});

async function runToEnd(input: { upTo: string; sample?: { rows: number } }) {
  const started = await api.run.start.mutate({ flowId: FLOW, ...input });
  await client.workflow.getHandle(started.workflowId).result();
  return started.runId;
}

async function tableOf(runId: string, nodeId: string): Promise<DatasetRef> {
  const node = await runs.node(store, runId, nodeId);
  expect(node.status, `${nodeId}: ${node.error}`).toBe("succeeded");
  return (node.outputs as Record<string, DatasetRef>).rows!;
}

const idsOf = async (ref: DatasetRef) => {
  const ds = new ParquetDatasetStore(inject("dataDir"), store);
  return (await ds.query<{ id: string }>(`SELECT customerID AS id FROM ${ds.from(ref)}`)).map((r) => r.id);
};

describe("a run on a sample", () => {
  it("cuts the source to 1,000 of its 7,043 rows, the same rows each time, in the file's order, and records it", async () => {
    const first = await runToEnd({ upTo: "unique", sample: { rows: 1000 } });
    const row = await runs.row(store, first);
    expect(row.trigger?.sample).toEqual({ rows: 1000, seed: 1 });
    expect((await runs.get(store, first)).nodes.map((n) => n.nodeId).sort()).toEqual(["customers", "unique"]);

    const customers = await runs.node(store, first, "customers");
    expect(customers.rows).toBe(1000);
    expect(customers.metrics).toMatchObject({ rowsBeforeSample: 7043 });
    const unique = await tableOf(first, "unique");
    expect(unique.rows).toBe(1000);

    const ids = await idsOf(await tableOf(first, "customers"));
    expect(new Set(ids).size).toBe(1000);
    const positions = ids.map((id) => telcoIds.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // A sample, not the first rows: it reaches well into the file.
    expect(positions[999]).toBeGreaterThan(6000);
    expect(positions[0]).toBeLessThan(100);

    // Again: the same rows (datasets are named by their content, so the same dataset).
    const second = await runToEnd({ upTo: "unique", sample: { rows: 1000 } });
    expect((await tableOf(second, "customers")).id).toBe((await tableOf(first, "customers")).id);

    // A smaller sample asked for by the API.
    const small = await runToEnd({ upTo: "customers", sample: { rows: 250 } });
    expect((await tableOf(small, "customers")).rows).toBe(250);
    expect((await runs.row(store, small)).trigger?.sample).toEqual({ rows: 250, seed: 1 });

    // Without a sample: every row.
    const full = await runToEnd({ upTo: "customers" });
    expect((await tableOf(full, "customers")).rows).toBe(7043);
    expect((await runs.row(store, full)).trigger?.sample).toBeUndefined();
  }, 180_000);

  it("is refused, naming the action, before anything starts, when it would reach an action", async () => {
    const before = (await runs.list(store, { flowId: FLOW, limit: 200 })).length;
    const refused = await api.run.start.mutate({ flowId: FLOW, upTo: "writeback", sample: { rows: 1000 } }).then(
      () => null,
      (err: { message: string; data?: { code?: string } }) => err,
    );
    expect(refused?.data?.code).toBe("PRECONDITION_FAILED");
    expect(refused?.message).toBe('A run on a sample never acts on customers, and this one would run the action "Write to table". Run up to a node before it, or run on the full data.');
    // The whole flow on a sample: refused the same way.
    await expect(api.run.start.mutate({ flowId: FLOW, sample: { rows: 1000 } })).rejects.toThrow(/would run the action "Write to table"/);
    expect((await runs.list(store, { flowId: FLOW, limit: 200 })).length).toBe(before);
  });

  it("saves a model trained on a sample under a name of its own, never as the model in use", async () => {
    const runId = await runToEnd({ upTo: "score", sample: { rows: 1000 } });
    const train = await runs.node(store, runId, "train");
    expect(train.status, train.error ?? "").toBe("succeeded");
    const ref = (train.outputs as { model: { name: string; version: number } }).model;
    expect(ref).toMatchObject({ name: `${MODEL} (sample)`, version: 1 });
    const saved = await models.byName(store, `${MODEL} (sample)`);
    expect(saved.metrics).toMatchObject({ trainedOnSample: 1000 });
    expect(saved.runId).toBe(runId);
    // Nothing under the flow's model name: what a full run trains there is still the first, current version.
    await expect(models.byName(store, MODEL)).rejects.toThrow(MODEL);
    // The scores of the sample: 1,000 rows.
    expect((await tableOf(runId, "score")).rows).toBe(1000);
  }, 180_000);
});
