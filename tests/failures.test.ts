import { Connection } from "@temporalio/client";
import { taskQueuePollers, temporalSettings } from "../lib/temporal";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { flows, runs } from "../db/store";
import { datasetFile } from "./harness";
import { writeFlow } from "./flows";
import { lastJsonLine, runCli, testStore, testEnv } from "./support";

const csvThenDedupe = (id: string, file: string) => ({
  id,
  name: id,
  nodes: [
    { id: "load", type: "source.csv-file@1", config: { path: file } },
    { id: "unique", type: "transform.dedupe@1", config: { keys: ["id"] } },
  ],
  edges: [{ source: "load", sourceHandle: "rows", target: "unique", targetHandle: "rows" }],
});

async function pollers(): Promise<number> {
  const connection = await Connection.connect({ address: inject("temporalAddress") });
  try {
    return (await taskQueuePollers(connection, temporalSettings(testEnv()), "activity")).length;
  } finally {
    await connection.close();
  }
}

describe("bad input", () => {
  it("fails the node of a malformed CSV with file and line, records the run, and keeps the worker serving", async () => {
    const bad = path.join(inject("dataDir"), "broken-orders.csv");
    writeFileSync(bad, "id,amount,city\n1,10.5,Paris\n2,11.0,Lyon\n3,12.5,Nice,EXTRA,FIELDS\n4,9.0,Lille\n");
    const res = await runCli(["run", writeFlow("broken", csvThenDedupe("broken-csv", bad)), "--json"]);
    expect(res.code).toBe(1);
    const summary = lastJsonLine(res.stdout);
    expect(summary.status).toBe("failed");
    const load = summary.nodes.find((n: { id: string }) => n.id === "load");
    expect(load.status).toBe("failed");
    expect(load.error).toMatch(/broken-orders\.csv/);
    expect(load.error).toMatch(/line 4\b/);
    expect(summary.nodes.find((n: { id: string }) => n.id === "unique").status).toBe("skipped");
    // Bad data is not retried: one attempt, although the source kind allows five.
    const attempts = (await runs.get(testStore(), summary.runId)).nodes;
    expect(attempts.find((n) => n.nodeId === "load")!.attempt).toBe(1);
    const row = await runs.row(testStore(), summary.runId);
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/load: .*broken-orders\.csv/);

    // The same worker is still polling and runs the next flow fine.
    expect(await pollers()).toBeGreaterThan(0);
    const good = path.join(inject("dataDir"), "orders.csv");
    writeFileSync(good, "id,amount\n1,10\n1,11\n2,12\n");
    const next = await runCli(["run", writeFlow("good", csvThenDedupe("good-csv", good)), "--json"]);
    expect(next.code, next.stderr).toBe(0);
    const ok = lastJsonLine(next.stdout);
    expect(ok.status).toBe("succeeded");
    expect(ok.nodes.find((n: { id: string }) => n.id === "unique").rows).toBe(2);
  });

  it("refuses an invalid graph before any run, naming node and field of each problem", async () => {
    const flow = {
      id: "invalid-flow",
      name: "Invalid",
      nodes: [
        { id: "load", type: "source.csv-file@1", config: { path: 42 } },
        { id: "unique", type: "transform.dedupe@1", config: { keys: [] } },
        { id: "mystery", type: "transform.nope@1", config: {} },
        { id: "train", type: "model.train-classifier@1", config: { target: "Churn" } },
      ],
      edges: [
        { source: "load", sourceHandle: "rows", target: "unique", targetHandle: "rows" },
        { source: "unique", sourceHandle: "rows", target: "train", targetHandle: "rows" },
        { source: "train", sourceHandle: "model", target: "unique", targetHandle: "rows" },
      ],
    };
    const res = await runCli(["run", writeFlow("invalid", flow), "--json"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/node "load", field "path"/);
    expect(res.stderr).toMatch(/node "unique", field "keys"/);
    expect(res.stderr).toMatch(/node "mystery", field "type": Unknown node type "transform.nope"/);
    expect(res.stderr).toMatch(/node "unique", field "rows": .*(already has a connection|Cannot connect model)/);
    const db = testStore();
    expect((await flows.list(db)).map((f) => f.id)).not.toContain("invalid-flow");
    expect(await runs.list(db, { flowId: "invalid-flow" })).toEqual([]);
  });
});

describe("parallel branches", () => {
  it("runs two independent branches at the same time", async () => {
    const hillstrom = datasetFile("hillstrom-email.csv");
    const branch = (p: string) => [
      { id: `${p}load`, type: "source.csv-file@1", config: { path: hillstrom } },
      { id: `${p}unique`, type: "transform.dedupe@1", config: { keys: ["segment", "channel"] } },
    ];
    const flow = {
      id: "two-branches",
      name: "Two branches",
      nodes: [...branch("a_"), ...branch("b_")],
      edges: ["a_", "b_"].map((p) => ({ source: `${p}load`, sourceHandle: "rows", target: `${p}unique`, targetHandle: "rows" })),
    };
    const res = await runCli(["run", writeFlow("parallel", flow), "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const { runId } = lastJsonLine(res.stdout);
    const { nodes } = await runs.get(testStore(), runId);
    const at = Object.fromEntries(nodes.map((n) => [n.nodeId, n]));
    for (const n of nodes) expect(n.status).toBe("succeeded");
    // Each source started before the other one finished: the two ran at the same time.
    expect(at.a_load!.startedAt!).toBeLessThan(at.b_load!.finishedAt!);
    expect(at.b_load!.startedAt!).toBeLessThan(at.a_load!.finishedAt!);
    expect(at.a_unique!.rows).toBe(9); // 3 segments x 3 channels in the published data
  });
});
