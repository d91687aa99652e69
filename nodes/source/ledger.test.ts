// The decision ledger through the node context (as actions use it) and back out as a dataset.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, type Harness } from "../../tests/harness";
import ledgerNode from "./ledger.node.ts";

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

describe("the decision ledger", () => {
  it("keys actions by run, node and customer; a settled one is not redone, a failed one may be", async () => {
    const ctx = h.ctx("mail", { runId: "run-a" });
    expect(ctx.ledger.key("u1")).toBe("run-a:mail:u1");
    await ctx.ledger.record([
      { customer: "u1", channel: "email", status: "sent", providerId: "<m1@x>", content: { template: "welcome" }, model: { name: "churn", version: 3, score: 0.91 }, arm: "B" },
      { customer: "u2", channel: "email", status: "suppressed", reason: "no consent for e-mail" },
      { customer: "u3", channel: "email", status: "failed", reason: "550 mailbox unavailable" },
    ]);
    expect([...(await ctx.ledger.settled(["u1", "u2", "u3", "u4"]))].sort()).toEqual(["u1", "u2"]);
    // The same keys in another run or node are separate actions.
    expect((await h.ctx("mail", { runId: "run-b" }).ledger.settled(["u1"])).size).toBe(0);
    expect((await h.ctx("other", { runId: "run-a" }).ledger.settled(["u1"])).size).toBe(0);

    // A retry: the failure becomes sent; a settled row is never overwritten by a later failure.
    await ctx.ledger.record([
      { customer: "u3", channel: "email", status: "sent", providerId: "<m3@x>" },
      { customer: "u1", channel: "email", status: "failed", reason: "should not replace" },
    ]);
    expect([...(await ctx.ledger.settled(["u1", "u3"]))].sort()).toEqual(["u1", "u3"]);
    // The node's end: what it recorded is in the table.
    await ctx.ledger.flush();

    const out = await h.run(ledgerNode, { channel: "email" });
    const rows = await h.ctx("read").datasets.query<Record<string, unknown>>(`SELECT customer_id, status, reason, provider_id, model_name, model_version, score, arm FROM ${h.ctx("read").datasets.from(out.outputs.rows as never)} ORDER BY customer_id`);
    expect(rows).toEqual([
      { customer_id: "u1", status: "sent", reason: null, provider_id: "<m1@x>", model_name: "churn", model_version: 3, score: 0.91, arm: "B" },
      { customer_id: "u2", status: "suppressed", reason: "no consent for e-mail", provider_id: null, model_name: null, model_version: null, score: null, arm: null },
      { customer_id: "u3", status: "sent", reason: null, provider_id: "<m3@x>", model_name: null, model_version: null, score: null, arm: null },
    ]);
    expect((await h.run(ledgerNode, { channel: "webhook" })).outputs.rows).toMatchObject({ rows: 0 });
  });
});
