// A run on a sample never acts on customers: refused when its nodes include an action.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../lib/paths";
import { BUILT_IN_NODES, NodeRegistry } from "../../nodes/registry";
import { compileGraph, planUpTo, refuseSampleActions } from "./compile";

const registry = new NodeRegistry(BUILT_IN_NODES);
const telco = compileGraph(JSON.parse(readFileSync(path.join(projectRoot, "examples", "flows", "telco-churn.flow.json"), "utf8")), registry, { id: "telco-churn", version: 3 });

describe("refuseSampleActions", () => {
  it("lets a sample run up to a node before the write-back", () => {
    expect(() => refuseSampleActions(planUpTo(telco, "score"))).not.toThrow();
    expect(() => refuseSampleActions(planUpTo(telco, "metrics"))).not.toThrow();
  });

  it("refuses the write-back, by name, and the whole flow", () => {
    const message = 'A run on a sample never acts on customers, and this one would run the action "Write to table". Run up to a node before it, or run on the full data.';
    expect(() => refuseSampleActions(planUpTo(telco, "writeback"))).toThrow(message);
    expect(() => refuseSampleActions(telco)).toThrow(message);
  });
});
