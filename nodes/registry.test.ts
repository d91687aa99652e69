import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateGraph } from "../workflows/graph/validate";
import { BUILT_IN_NODES, NodeRegistry, loadRegistry } from "./registry";
import { defineNode } from "./sdk";
import { z } from "zod";

describe("node registry and catalog", () => {
  it("lists every built-in node with ports and a JSON Schema form for its config", async () => {
    const catalog = (await loadRegistry()).catalog();
    expect(catalog.map((e) => e.ref).sort()).toEqual([
      "action.send-email@1",
      "action.sync@1",
      "action.webhook@1",
      "action.write-profiles@1",
      "action.write-table@2",
      "control.branch@1",
      "control.entry@1",
      "control.passthrough@1",
      "control.split@1",
      "control.wait-event@1",
      "control.wait@1",
      "insight.ab-test@1",
      "insight.classification-report@1",
      "insight.metrics@1",
      "insight.profile@1",
      "insight.segment-profile@1",
      "insight.summary@1",
      "model.assign-segment@1",
      "model.promote-if-better@1",
      "model.score-text@1",
      "model.score@1",
      "model.segment@1",
      "model.sentiment-lexicon@1",
      "model.train-classifier@1",
      "model.train-text-classifier@1",
      "model.train-uplift@1",
      "source.csv-file@1",
      "source.http-json@2",
      "source.json-file@1",
      "source.ledger@1",
      "source.outcomes@1",
      "source.parquet-file@1",
      "source.sql-query@2",
      "transform.aggregate@1",
      "transform.dedupe@1",
      "transform.derived-column@1",
      "transform.filter@1",
      "transform.identity-resolution@1",
      "transform.join@1",
      "transform.missing-values@1",
      "transform.rfm@1",
      "transform.sample-split@1",
      "transform.select-cast@1",
      "transform.standardise@1",
      "transform.union@1",
      "transform.validate@1",
      "trigger.audience@1",
      "trigger.event@1",
      "trigger.manual@1",
      "trigger.schedule@1",
      "trigger.upload@1",
      "trigger.webhook@1",
    ]);
    const dedupe = catalog.find((e) => e.type === "transform.dedupe")!;
    expect(dedupe.inputs).toEqual([{ name: "rows", type: "table", optional: false, label: undefined }]);
    const schema = dedupe.configSchema as { type: string; properties: Record<string, { description?: string; default?: unknown }>; required?: string[] };
    expect(schema.type).toBe("object");
    expect(schema.required).toContain("keys");
    expect(schema.properties.keep!.default).toBe("first");
    expect(schema.properties.keys!.description).toBeTruthy();
    const score = catalog.find((e) => e.type === "model.score")!;
    expect(score.inputs.find((p) => p.name === "model")).toMatchObject({ type: "model", optional: true });
    // Plain JSON: survives a round trip unchanged (no functions, no zod objects).
    expect(JSON.parse(JSON.stringify(catalog))).toEqual(catalog);
  });

  it("refuses the same type and version twice, and keeps versions apart", () => {
    const v2 = defineNode({ ...BUILT_IN_NODES[0]!, version: 2, config: z.object({}) });
    const reg = new NodeRegistry([...BUILT_IN_NODES, v2]);
    expect(reg.versions(v2.type)).toEqual([1, 2]);
    expect(reg.get(v2.type, 2)).toBe(v2);
    expect(() => reg.add(v2)).toThrow(/registered twice/);
  });
});

describe("example flows", () => {
  it("every flow in examples/flows validates against the built-in nodes", async () => {
    const registry = await loadRegistry();
    const dir = path.join(import.meta.dirname, "..", "examples", "flows");
    const files = readdirSync(dir).filter((f) => f.endsWith(".flow.json"));
    expect(files).toContain("cdnow-segments.flow.json");
    for (const file of files) {
      const result = validateGraph(JSON.parse(readFileSync(path.join(dir, file), "utf8")), registry);
      expect(result.problems, file).toEqual([]);
    }
  });
});
