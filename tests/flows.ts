// Flow files for the integration tests, written to the test data directory.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { projectRoot } from "../lib/paths";

/** The Telco example, writing its scores to `crm`: a file name in the exports folder (a path's base name is taken). */
export function telcoFlow(overrides: { crm: string; id: string }) {
  const flow = JSON.parse(readFileSync(path.join(projectRoot, "examples", "flows", "telco-churn.flow.json"), "utf8"));
  flow.id = overrides.id;
  flow.name = `Telco churn (${overrides.id})`;
  flow.nodes.find((n: { id: string }) => n.id === "writeback").config.file = path.basename(overrides.crm);
  return flow;
}

/** Where write-table puts a file named `name`: the exports folder of the shared folder (the test data directory by default). */
export function exportedFile(name: string, shared: string = inject("dataDir")): string {
  return path.join(shared, "exports", name);
}

export function writeFlow(name: string, flow: unknown): string {
  const file = path.join(inject("dataDir"), `${name}.flow.json`);
  writeFileSync(file, JSON.stringify(flow, null, 2));
  return file;
}
