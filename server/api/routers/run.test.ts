// run.preview against a real Parquet dataset in a temporary data directory; the run and node rows
// are inserted as the worker would leave them, since Temporal is not what is under test.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParquetDatasetStore } from "../../../db/dataset-store";
import { flows, ledger, openSqliteStore, runs, type Store } from "../../../db/store";
import type { DatasetRef } from "../../../nodes/sdk/types";
import { createFlow } from "../../services/flows";
import { createCaller } from "../root";
import { createTRPCContext } from "../trpc";
import { noTemporal, rejection, asRole } from "./test-support";

let dir: string;
let db: Store;
let caller: ReturnType<typeof createCaller>;
let scored: DatasetRef;
let customers: DatasetRef;
const previousDataDir = process.env.LOOPWRIGHT_DATA_DIR;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-run-router-"));
  // The router finds datasets through dataDir(), which reads this variable.
  process.env.LOOPWRIGHT_DATA_DIR = dir;
  db = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  caller = createCaller(await createTRPCContext({ store: db, temporal: noTemporal, principal: asRole("editor") }));

  const store = new ParquetDatasetStore(dir, db);
  scored = await store.create("SELECT range AS id, 'c' || range AS name, range / 250.0 AS score FROM range(250)");
  customers = await store.create("SELECT * FROM (VALUES (1, 'Ada'), (2, 'Grace')) t(id, name)");

  const { flowId, versionId } = await createFlow(db, "Preview test");
  const nodes = [
    { id: "score", type: "model.score@1" },
    { id: "train", type: "model.train-classifier@1" },
    { id: "later", type: "transform.dedupe@1" },
  ];
  await runs.create(db, { runId: "run-1", flowId, flowVersionId: versionId, flowVersion: 1, triggerKind: "manual", workflowId: "run-run-1", temporalUrl: "http://temporal.test", nodes });
  await runs.report(db, { runId: "run-1", status: "running" });
  const model = { kind: "model", id: "m1", name: "churn", version: 1 };
  await runs.updateNode(db, "run-1", "score", { status: "succeeded", rows: scored.rows, outputs: { model, rows: scored, customers } });
  await runs.updateNode(db, "run-1", "train", { status: "succeeded", outputs: { model } });
  await runs.updateNode(db, "run-1", "later", { status: "running" });
});

afterAll(async () => {
  await db?.close();
  if (previousDataDir === undefined) delete process.env.LOOPWRIGHT_DATA_DIR;
  else process.env.LOOPWRIGHT_DATA_DIR = previousDataDir;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("run.preview", () => {
  it("returns the first 100 rows of the node's first table output, and its table ports", async () => {
    const preview = await caller.run.preview({ runId: "run-1", nodeId: "score" });
    expect(preview.port).toBe("rows");
    expect(preview.ports).toEqual(["rows", "customers"]);
    expect(preview.dataset).toEqual({ id: scored.id, rows: 250, columns: scored.columns });
    expect(preview.dataset.columns.map((c) => c.name)).toEqual(["id", "name", "score"]);
    expect(preview.rows).toHaveLength(100);
    expect(preview.rows[0]).toEqual({ id: 0, name: "c0", score: 0 });
    expect(preview.rows[99]).toMatchObject({ id: 99, name: "c99" });
  });

  it("previews another table output by port", async () => {
    const preview = await caller.run.preview({ runId: "run-1", nodeId: "score", port: "customers" });
    expect(preview.port).toBe("customers");
    expect(preview.dataset.rows).toBe(2);
    expect(preview.rows).toEqual([
      { id: 1, name: "Ada" },
      { id: 2, name: "Grace" },
    ]);
  });

  it("says NOT_FOUND, readably, for an unknown run, node or port, or a node without table output", async () => {
    const cases: [Parameters<typeof caller.run.preview>[0], RegExp][] = [
      [{ runId: "nope", nodeId: "score" }, /No run "nope"/],
      [{ runId: "run-1", nodeId: "ghost" }, /Run "run-1" has no node "ghost"/],
      [{ runId: "run-1", nodeId: "score", port: "model" }, /no table output "model" \(it has "rows", "customers"\)/],
      [{ runId: "run-1", nodeId: "train" }, /Node "train" has no table output$/],
      [{ runId: "run-1", nodeId: "later" }, /no table output yet \(it is running\)/],
    ];
    for (const [input, message] of cases) {
      const err = await rejection(caller.run.preview(input));
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toMatch(message);
    }
  });

  it("says NOT_FOUND when the dataset file has gone from the data directory", async () => {
    rmSync(path.join(dir, customers.path));
    const err = await rejection(caller.run.preview({ runId: "run-1", nodeId: "score", port: "customers" }));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toContain(customers.id);
    // The other output is untouched.
    expect((await caller.run.preview({ runId: "run-1", nodeId: "score" })).rows).toHaveLength(100);
  });

  it("says a damaged dataset cannot be read, naming the dataset and no server path or SQL", async () => {
    writeFileSync(path.join(dir, scored.path), "not parquet at all");
    const err = await rejection(caller.run.preview({ runId: "run-1", nodeId: "score" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain(`Dataset ${scored.id} cannot be read`);
    expect(err.message).not.toContain(dir);
    expect(err.message).not.toMatch(/SELECT|LINE 1/);
  });
});

describe("run.get", () => {
  it("names each node as the flow does: its own label, else its kind's, the id for a node the version lacks", async () => {
    const at = { x: 0, y: 0 };
    const saved = await flows.saveVersion(db, {
      name: "Labels",
      nodes: [
        { id: "score", type: "model.score@1", label: "Churn risk", position: at, config: {} },
        { id: "train", type: "model.train-classifier@1", position: at, config: {} },
      ],
      edges: [],
    });
    const nodes = [
      { id: "score", type: "model.score@1" },
      { id: "train", type: "model.train-classifier@1" },
      { id: "gone", type: "transform.dedupe@1" },
    ];
    await runs.create(db, { runId: "run-labels", flowId: saved.flowId, flowVersionId: saved.versionId, flowVersion: saved.version, triggerKind: "manual", workflowId: "run-run-labels", temporalUrl: "http://temporal.test", nodes });
    const got = await caller.run.get({ runId: "run-labels" });
    expect(Object.fromEntries(got.nodes.map((n) => [n.nodeId, n.label]))).toEqual({ score: "Churn risk", train: "Train classifier", gone: "gone" });
  });

  it("counts what the run's actions did, per node, channel and status, from the decision ledger", async () => {
    const row = (customer: string, status: "sent" | "suppressed" | "failed", nodeId = "mail") => ({
      key: `run-1:${nodeId}:${customer}`,
      runId: "run-1",
      flowId: "f",
      flowVersion: 1,
      nodeId,
      channel: nodeId === "mail" ? "email" : "webhook",
      customerId: customer,
      profileId: null,
      status,
      reason: status === "sent" ? null : "why",
      content: null,
      model: null,
      arm: null,
      providerId: null,
    });
    await ledger.record(db, [row("a", "sent"), row("b", "sent"), row("c", "suppressed"), row("a", "failed", "hook")]);
    const got = await caller.run.get({ runId: "run-1" });
    expect([...got.actions].sort((x, y) => `${x.nodeId}${x.status}`.localeCompare(`${y.nodeId}${y.status}`))).toEqual([
      { nodeId: "hook", channel: "webhook", status: "failed", n: 1 },
      { nodeId: "mail", channel: "email", status: "sent", n: 2 },
      { nodeId: "mail", channel: "email", status: "suppressed", n: 1 },
    ]);
  });
});
