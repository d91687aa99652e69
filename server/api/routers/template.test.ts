// The template gallery's router against a real SQLite file and the real node registry: every
// template is a file that validates, using one makes a flow holding its graph under a fresh id, and
// a run that cannot start leaves the flow made and says why. (Runs that start: tests/web-templates.test.ts.)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flows, openSqliteStore, type Store } from "../../../db/store";
import { projectRoot } from "../../../lib/paths";
import type { TemporalAccess } from "../../temporal-client";
import { createCaller } from "../root";
import { createTRPCContext } from "../trpc";
import { asRole, noTemporal, rejection } from "./test-support";

let dir: string;
let db: Store;
const caller = async (role: "viewer" | "editor", temporal: TemporalAccess = noTemporal) => createCaller(await createTRPCContext({ store: db, temporal, principal: asRole(role) }));
const shipped = (id: string) => JSON.parse(readFileSync(path.join(projectRoot, "examples", "flows", `${id}.flow.json`), "utf8"));

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-template-router-"));
  db = openSqliteStore(path.join(dir, "loopwright.sqlite"));
});

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("template router", () => {
  it("lists the six business questions the issue names, and the weekly churn save journey", async () => {
    const list = await (await caller("viewer")).template.list();
    expect(list.map((t) => t.question)).toEqual([
      "Which customers are about to churn, and how do we keep them?",
      "Which lapsed customers are worth winning back?",
      "Which leads are ready for sales?",
      "What are reviewers unhappy about?",
      "Did our campaign work?",
      "Who are our customer segments?",
      "Every week, can we keep the customers most likely to leave, and learn what works?",
    ]);
    expect(list.filter((t) => t.kind === "journey").map((t) => t.id)).toEqual(["weekly-churn-save"]);
  });

  it("makes a flow from a template: version 1 holds the shipped graph; a second use gets a fresh id", async () => {
    const editor = await caller("editor");
    const first = await editor.template.use({ id: "lapsed-winback" });
    expect(first).toEqual({ flowId: "lapsed-customers-worth-winning-back", version: 1, runId: null, runError: null });
    const second = await editor.template.use({ id: "lapsed-winback" });
    expect(second.flowId).toBe("lapsed-customers-worth-winning-back-2");
    const saved = await flows.get(db, first.flowId);
    const file = shipped("lapsed-winback");
    expect(saved.graph.name).toBe("Lapsed customers worth winning back");
    expect(saved.graph.nodes.map((n) => [n.id, n.type, n.config])).toEqual(file.nodes.map((n: { id: string; type: string; config: unknown }) => [n.id, n.type, n.config]));
    expect(saved.graph.edges).toHaveLength(3);
    // History says who made it.
    expect((await flows.versions(db, first.flowId)).map((v) => v.savedBy?.id)).toEqual(["test-editor"]);
  });

  it("with run, and Temporal not answering: the flow is made and runError says why", async () => {
    const down: TemporalAccess = { ...noTemporal, status: async () => ({ reachable: false, address: "127.0.0.1:1", error: "connection refused" }) as never };
    const made = await (await caller("editor", down)).template.use({ id: "unhappy-reviews", run: true });
    expect(made.runId).toBeNull();
    expect(made.runError).toBe("The flow is made, but it cannot run yet: Temporal at 127.0.0.1:1 does not answer. Start everything with npm start.");
    expect((await flows.get(db, made.flowId)).graph.name).toBe("Unhappy reviewers");
  });

  it("refuses viewers, and names a template that does not exist", async () => {
    expect((await rejection((await caller("viewer")).template.use({ id: "telco-churn" }))).code).toBe("FORBIDDEN");
    const missing = await rejection((await caller("editor")).template.use({ id: "nope" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toMatch(/^No template "nope" \(there are "telco-churn", /);
  });
});
