import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import passthrough from "./passthrough.node.ts";
import { datasets } from "../../db/store";

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

describe("control.passthrough", () => {
  it("returns its input ref unchanged, without copying", async () => {
    const input = await h.ctx("setup").datasets.create("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(n, s)");
    const res = await h.run(passthrough, {}, { rows: input });
    expect(res.outputs.rows).toBe(input);
    const count = { n: await datasets.total(h.store) };
    expect(count.n).toBe(1);
  });

  it("gives an empty table when nothing is connected", async () => {
    const res = await h.run(passthrough, {}, {});
    const out = res.outputs.rows as DatasetRef;
    expect(out.kind).toBe("table");
    expect(out.rows).toBe(0);
    expect(out.columns.map((c) => c.name)).toEqual(["x"]);
  });

  it("rejects a model on its table port", async () => {
    const model = { kind: "model" as const, id: "m1", name: "m", version: 1 };
    await expect(h.run(passthrough, {}, { rows: model })).rejects.toBeInstanceOf(ConfigError);
  });
});
