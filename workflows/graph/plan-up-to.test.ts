// "Run up to here": the plan cut to a node and what it needs, on the Telco example flow.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../lib/paths";
import { BUILT_IN_NODES, NodeRegistry } from "../../nodes/registry";
import { compileGraph, planUpTo } from "./compile";

const registry = new NodeRegistry(BUILT_IN_NODES);
const telco = compileGraph(JSON.parse(readFileSync(path.join(projectRoot, "examples", "flows", "telco-churn.flow.json"), "utf8")), registry, { id: "telco-churn", version: 3 });

describe("planUpTo", () => {
  it("keeps the node and every node it reads from, transitively, in plan order", () => {
    // score reads unique (rows) and train (model); train reads unique; unique reads customers.
    expect(planUpTo(telco, "score").nodes.map((n) => n.id)).toEqual(["customers", "unique", "train", "score"]);
    expect(planUpTo(telco, "unique").nodes.map((n) => n.id)).toEqual(["customers", "unique"]);
    expect(planUpTo(telco, "customers").nodes.map((n) => n.id)).toEqual(["customers"]);
    // The last node needs everything but the metrics branch.
    expect(planUpTo(telco, "writeback").nodes.map((n) => n.id)).toEqual(["customers", "unique", "train", "score", "writeback"]);
    expect(planUpTo(telco, "unique")).toMatchObject({ flowId: "telco-churn", flowVersion: 3 });
  });

  it("names a node the plan does not have", () => {
    expect(() => planUpTo(telco, "nope")).toThrow('Flow "telco-churn" version 3 has no node "nope" to run up to');
  });
});
