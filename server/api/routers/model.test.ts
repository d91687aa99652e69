// The model router through createCaller against a real store (SQLite file): the list with statuses and
// input columns, promote and archive with their errors, and what a browser receives for them.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { StoreModelRegistry } from "../../../db/model-registry";
import { openSqliteStore, type Store } from "../../../db/store";
import { appRouter, createCaller } from "../root";
import { createTRPCContext, type Context } from "../trpc";
import { noTemporal, rejection, asRole } from "./test-support";

let dir: string;
let db: Store;
let raw: Database.Database;
let ctx: Context;
let caller: ReturnType<typeof createCaller>;
let registry: StoreModelRegistry;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-model-router-"));
  db = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  raw = new Database(path.join(dir, "loopwright.sqlite"));
  ctx = await createTRPCContext({ store: db, temporal: noTemporal, principal: asRole("editor") });
  caller = createCaller(ctx);
  registry = new StoreModelRegistry(db, dir, { runId: "run_1", nodeId: "train" });
});

afterAll(async () => {
  raw?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  raw.prepare("DELETE FROM models").run();
});

const churn = (extra: Partial<Parameters<StoreModelRegistry["save"]>[0]> = {}) =>
  registry.save({ name: "churn", kind: "binary-classifier/brainjs", metrics: { rocAuc: 0.8 }, artifact: { net: { weights: [1] } }, ...extra });

describe("model router", () => {
  it("lists statuses, input columns, dataset and run per version, without artifacts", async () => {
    await churn({ datasetId: "ds_train", inputSchema: [{ name: "tenure", type: "BIGINT" }] });
    // Saved without an input schema: the classifier's artifact still names its inputs.
    await churn({ artifact: { net: { weights: [2] }, features: { version: 1, inputs: ["tenure", "Contract"], features: [], names: [] } } });
    await churn();
    // The list is newest first by creation time (milliseconds): make sure uplift is saved in a later one.
    await new Promise((r) => setTimeout(r, 5));
    await new StoreModelRegistry(db, dir).save({ name: "uplift", kind: "mlp", metrics: {}, artifact: "not an object" });

    const list = await caller.model.list();
    expect(list.map((m) => m.name)).toEqual(["uplift", "churn"]);
    const c = list[1]!;
    expect(c.inUse).toBe(1);
    expect(c.versions.map((v) => [v.version, v.status])).toEqual([
      [3, "candidate"],
      [2, "candidate"],
      [1, "current"],
    ]);
    expect(c.versions[2]).toMatchObject({ inputSchema: [{ name: "tenure", type: "BIGINT" }], datasetId: "ds_train", runId: "run_1", nodeId: "train" });
    expect(c.versions[1]!.inputSchema).toEqual([
      { name: "tenure", type: null },
      { name: "Contract", type: null },
    ]);
    expect(c.versions[0]!.inputSchema).toBeNull();
    expect(list[0]).toMatchObject({ inUse: 1, versions: [{ version: 1, status: "current", inputSchema: null, runId: null }] });
    expect(JSON.stringify(list)).not.toContain("weights");
  });

  it("promotes a version and archives the previous current one", async () => {
    await churn();
    await churn();
    await churn();
    const promoted = await caller.model.promote({ name: "churn", version: 3 });
    expect(promoted).toMatchObject({ current: { name: "churn", version: 3 }, previous: { name: "churn", version: 1 } });
    expect(await caller.model.archive({ name: "churn", version: 1 })).toMatchObject({ name: "churn", version: 1 });

    const [c] = await caller.model.list();
    expect(c!.inUse).toBe(3);
    expect(c!.versions.map((v) => [v.version, v.status])).toEqual([
      [3, "current"],
      [2, "candidate"],
      [1, "archived"],
    ]);
    // What a flow scoring by name now gets; a pinned archived version still loads.
    expect((await registry.load({ name: "churn" })).ref.version).toBe(3);
    expect((await registry.load({ name: "churn", version: 1 })).status).toBe("archived");
  });

  it("answers PRECONDITION_FAILED for archiving the current version, NOT_FOUND for unknown ones", async () => {
    await churn();
    await churn();
    const current = await rejection(caller.model.archive({ name: "churn", version: 1 }));
    expect(current.code).toBe("PRECONDITION_FAILED");
    expect(current.message).toBe('version 1 of model "churn" is the current one, so it cannot be archived; make another version current first');

    for (const [call, message] of [
      [caller.model.promote({ name: "churn", version: 5 }), 'Model "churn" has no version 5 (it has versions 1 to 2)'],
      [caller.model.archive({ name: "churn", version: 5 }), 'Model "churn" has no version 5 (it has versions 1 to 2)'],
      [caller.model.promote({ name: "nope", version: 1 }), 'No saved model named "nope"'],
    ] as const) {
      const err = await rejection(call);
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toBe(message);
    }

    const bad = await rejection(caller.model.promote({ name: "", version: 0 }));
    expect(bad.code).toBe("BAD_REQUEST");

    const [c] = await caller.model.list();
    expect(c!.versions.map((v) => v.status)).toEqual(["candidate", "current"]);
  });

  it("sends the browser the code and the readable message", async () => {
    await churn();
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      router: appRouter,
      createContext: () => ctx,
      req: new Request("http://localhost/api/trpc/model.archive", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(superjson.serialize({ name: "churn", version: 1 })),
      }),
    });
    expect(res.status).toBe(412);
    const body = (await res.json()) as { error: { json: { message: string; data: { code: string; stack?: string } } } };
    expect(body.error.json.message).toContain("is the current one, so it cannot be archived");
    expect(body.error.json.data.code).toBe("PRECONDITION_FAILED");
    expect(body.error.json.data.stack).toBeUndefined();
  });
});
