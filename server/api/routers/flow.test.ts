// The flow router against a real SQLite file and the real node registry, without Next: through
// createCaller (codes and causes), and through the fetch adapter (what a browser receives).
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../../db/client";
import { loadRegistry } from "../../../nodes/registry";
import type { GraphProblem } from "../../../workflows/graph/validate";
import type { TemporalAccess } from "../../temporal-client";
import { appRouter, createCaller } from "../root";
import { createTRPCContext } from "../trpc";

// Saving never touches Temporal; anything that tries is a bug in this test's premise.
const noTemporal: TemporalAccess = {
  settings: () => {
    throw new Error("Temporal is not used by these tests");
  },
  client: () => {
    throw new Error("Temporal is not used by these tests");
  },
  status: async () => {
    throw new Error("Temporal is not used by these tests");
  },
};

const graph = (keys: string[] = ["customerID"]) => ({
  name: "Web API test",
  nodes: [
    { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: "examples/data/telco-customer-churn.csv" } },
    { id: "unique", type: "transform.dedupe@1", position: { x: 240, y: 0 }, config: { keys } },
  ],
  edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "unique", targetHandle: "rows" }],
});

const invalidGraph = () => {
  const g = graph([]); // dedupe needs at least one key
  g.nodes.push({ id: "ghost", type: "source.nothing@1", position: { x: 0, y: 0 }, config: {} } as never);
  return g;
};

let dir: string;
let db: Db;
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-flow-router-"));
  db = openDb(path.join(dir, "loopwright.sqlite"));
  caller = createCaller(await createTRPCContext({ db, temporal: noTemporal }));
});

afterAll(() => {
  db?.$client.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

describe("flow router", () => {
  it("saves versions: new, unchanged, changed, and refuses a stale one", async () => {
    const first = await caller.flow.save({ graph: graph(), flowId: "web-test" });
    expect(first).toMatchObject({ flowId: "web-test", version: 1, created: true });

    const again = await caller.flow.save({ graph: graph(), flowId: "web-test", expectedVersion: 1 });
    expect(again).toMatchObject({ version: 1, created: false });

    const changed = await caller.flow.save({ graph: graph(["customerID", "gender"]), flowId: "web-test", expectedVersion: 1 });
    expect(changed).toMatchObject({ version: 2, created: true, versionId: "web-test@2" });

    const stale = await rejection(caller.flow.save({ graph: graph(["gender"]), flowId: "web-test", expectedVersion: 1 }));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.message).toMatch(/version 1, the latest is 2/);

    expect((await caller.flow.get({ flowId: "web-test" })).version).toBe(2);
    expect((await caller.flow.get({ flowId: "web-test", version: 1 })).graph.nodes[1]!.config).toEqual({ keys: ["customerID"] });
    expect((await caller.flow.list()).map((f) => [f.id, f.latestVersion])).toEqual([["web-test", 2]]);
  });

  it("rejects an invalid graph with BAD_REQUEST and problems naming the nodes", async () => {
    const err = await rejection(caller.flow.save({ graph: invalidGraph(), flowId: "broken" }));
    expect(err.code).toBe("BAD_REQUEST");
    const problems = (err.cause as { problems?: GraphProblem[] }).problems ?? [];
    expect(problems.map((p) => p.nodeId).sort()).toEqual(["ghost", "unique"]);
    expect(problems.find((p) => p.nodeId === "unique")?.field).toBe("keys");
    await expect(caller.flow.get({ flowId: "broken" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const checked = await caller.flow.validate({ graph: invalidGraph() });
    expect(checked.ok).toBe(false);
    expect(checked.problems.map((p) => p.nodeId).sort()).toEqual(["ghost", "unique"]);
  });

  it("sends problems to HTTP clients as data, with the right status and no stack", async () => {
    const call = async (procedure: string, input: unknown) => {
      const res = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(`http://localhost/api/trpc/${procedure}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(superjson.serialize(input)),
        }),
        router: appRouter,
        createContext: () => createTRPCContext({ db, temporal: noTemporal }),
      });
      const body = (await res.json()) as { error: Parameters<typeof superjson.deserialize>[0] };
      return { status: res.status, error: superjson.deserialize<{ message: string; data: Record<string, unknown> }>(body.error) };
    };

    const invalid = await call("flow.save", { graph: invalidGraph() });
    expect(invalid.status).toBe(400);
    expect(invalid.error.data.code).toBe("BAD_REQUEST");
    expect((invalid.error.data.problems as GraphProblem[]).map((p) => p.nodeId).sort()).toEqual(["ghost", "unique"]);
    expect(invalid.error.data).not.toHaveProperty("stack");

    const conflict = await call("flow.save", { graph: graph(["SeniorCitizen"]), flowId: "web-test", expectedVersion: 1 });
    expect(conflict.status).toBe(409);
    expect(conflict.error.data.code).toBe("CONFLICT");

    const badInput = await call("flow.save", { graph: graph(), flowId: "Not A Valid Id" });
    expect(badInput.status).toBe(400);
    expect(badInput.error.data.zodError).toMatchObject({ fieldErrors: { flowId: [expect.any(String)] } });
  });
});
