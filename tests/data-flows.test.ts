// Data-node flows through Temporal, as the CLI runs them: the results read back from the Parquet
// files the nodes wrote, compared with the published figures.
import { DuckDBInstance } from "@duckdb/node-api";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { projectRoot } from "../lib/paths";
import { runs } from "../db/store";
import { lastJsonLine, runCli, testStore } from "./support";

/** The rows a node of a run wrote to its output port, as SQLite records them. */
async function output(runId: string, nodeId: string, port = "rows"): Promise<Record<string, unknown>[]> {
  const row = await runs.node(testStore(), runId, nodeId);
  const ref = (row?.outputs as Record<string, { path: string }> | null)?.[port];
  if (!ref) throw new Error(`${nodeId} recorded no output "${port}"`);
  return rowsOf(ref);
}

async function rowsOf(ref: { path: string }): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    const file = path.join(inject("dataDir"), ref.path).replaceAll("'", "''");
    return (await c.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
  } finally {
    c.closeSync();
  }
}

describe("the Hillstrom example: filter and aggregate through Temporal", () => {
  it("reproduces the published visit rates per segment, and the e-mailed customers' rate", async () => {
    const res = await runCli(["run", path.join(projectRoot, "examples", "flows", "hillstrom-visits.flow.json"), "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    for (const n of summary.nodes) expect(n.status, `${n.id}: ${n.error}`).toBe("succeeded");

    const segments = await output(summary.runId, "by-segment");
    const rate = Object.fromEntries(segments.map((r) => [r.segment, Number(r.visit_rate)]));
    console.log(`Hillstrom visit rates: ${JSON.stringify(rate)}`);
    expect(rate["Mens E-Mail"]!.toFixed(3)).toBe("0.183");
    expect(rate["Womens E-Mail"]!.toFixed(3)).toBe("0.151");
    expect(rate["No E-Mail"]!.toFixed(3)).toBe("0.106");
    expect(segments.reduce((s, r) => s + Number(r.customers), 0)).toBe(64_000);

    // The filtered branch: the two e-mailed arms together, weighted by their sizes.
    const [emailed] = await output(summary.runId, "emailed-rate");
    const arms = segments.filter((r) => r.segment !== "No E-Mail");
    const n = arms.reduce((s, r) => s + Number(r.customers), 0);
    expect(Number(emailed!.customers)).toBe(n);
    expect(Number(emailed!.visit_rate)).toBeCloseTo(arms.reduce((s, r) => s + Number(r.customers) * Number(r.visit_rate), 0) / n, 9);
  });
});
