// control.wait's metrics: the parts it holds and when each goes on (the schedule the flow's live
// counts read to tell the customers waiting from those gone on).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, type Harness } from "../../tests/harness";
import wait from "./wait.node.ts";

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

const DAY = 86_400_000;

describe("control.wait", () => {
  it("lists each part's time and customers in its metrics", async () => {
    const d = h.ctx("check").datasets;
    const base = Math.ceil(Date.now() / DAY) * DAY + 10 * DAY; // midnight UTC, days ahead
    const at = (days: number) => new Date(base + days * DAY).toISOString();
    // 3 customers renew on day 0, 2 on day 2, 1 on day 5; wait until a day after.
    const input = await d.create(
      `SELECT * FROM (VALUES ('a', TIMESTAMP '${at(0).slice(0, 19)}'), ('b', TIMESTAMP '${at(0).slice(0, 19)}'), ('c', TIMESTAMP '${at(0).slice(0, 19)}'),
        ('d', TIMESTAMP '${at(2).slice(0, 19)}'), ('e', TIMESTAMP '${at(2).slice(0, 19)}'), ('f', TIMESTAMP '${at(5).slice(0, 19)}')) AS t(customer_id, renews)`,
    );
    const res = await h.run(wait, { mode: "until", dateColumn: "renews", amount: 1, unit: "days" }, { rows: input });
    expect(res.metrics).toMatchObject({
      customers: 6,
      parts: 3,
      first: at(1),
      last: at(6),
      schedule: [
        { at: at(1), customers: 3 },
        { at: at(3), customers: 2 },
        { at: at(6), customers: 1 },
      ],
    });
    expect(res.hold).toMatchObject({ kind: "timer" });
  });
});
