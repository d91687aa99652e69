// An upload trigger end to end: `loopwright upload file.csv --drop returns` through the web app
// stores the file and the inbox entry; the worker's pump starts the flow once with the file's rows.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runs } from "../db/store";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion } from "../server/services/flows";
import { applyTrigger } from "../server/services/triggers";
import { runCli, testStore } from "./support";

describe("an upload trigger", () => {
  it("runs the flow on each file uploaded to its drop, with the file's rows", async () => {
    const store = testStore();
    const registry = await loadRegistry();
    const graph = {
      id: "returns-drop",
      name: "Returns drop",
      nodes: [
        { id: "file", type: "trigger.upload@1", position: { x: 0, y: 0 }, config: { drop: "returns" } },
        { id: "pass", type: "control.passthrough@1", position: { x: 200, y: 0 }, config: {} },
      ],
      edges: [{ source: "file", sourceHandle: "rows", target: "pass", targetHandle: "rows" }],
    };
    const saved = await saveFlowVersion(store, registry, graph, { flowId: graph.id });
    await applyTrigger(store, registry, null, saved, graph as never);

    const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-drop-"));
    try {
      const csv = path.join(dir, "returns-week-48.csv");
      writeFileSync(csv, "order_id,customer,amount\n1001,ann,19.5\n1002,bob,5\n1003,cy,42.25\n");
      const res = await runCli(["upload", csv, "--drop", "returns"]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain('dropped into "returns": starts 1 flow (returns-drop)');
      const bad = await runCli(["upload", csv, "--drop", "Not A Drop!"]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain("is not a drop name");

      const deadline = Date.now() + 60_000;
      let list = await runs.list(store, { flowId: graph.id });
      while (!(list.length && list.every((r) => r.status === "succeeded"))) {
        if (Date.now() > deadline) throw new Error(`no finished run: ${JSON.stringify(list)}`);
        await new Promise((r) => setTimeout(r, 250));
        list = await runs.list(store, { flowId: graph.id });
      }
      expect(list.length).toBe(1);
      expect(list[0]!.triggerKind).toBe("upload");
      const node = await runs.node(store, list[0]!.id, "file");
      expect(node.rows).toBe(3);
      expect((node.outputs as Record<string, { columns: { name: string }[] }>).rows!.columns.map((c) => c.name)).toEqual(["order_id", "customer", "amount"]);
      expect((await runs.row(store, list[0]!.id)).trigger).toMatchObject({ kind: "upload", source: "returns-week-48.csv" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
