// Flow files for the integration tests, written to the test data directory.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { projectRoot } from "../lib/paths";

export function telcoFlow(overrides: { crm: string; id: string }) {
  const flow = JSON.parse(readFileSync(path.join(projectRoot, "examples", "flows", "telco-churn.flow.json"), "utf8"));
  flow.id = overrides.id;
  flow.name = `Telco churn (${overrides.id})`;
  flow.nodes.find((n: { id: string }) => n.id === "writeback").config.database = overrides.crm;
  return flow;
}

export function writeFlow(name: string, flow: unknown): string {
  const file = path.join(inject("dataDir"), `${name}.flow.json`);
  writeFileSync(file, JSON.stringify(flow, null, 2));
  return file;
}
