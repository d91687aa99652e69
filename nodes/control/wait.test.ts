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

  it("waits until a fixed date, and moves it into each customer's window in their time zone", async () => {
    const d = h.ctx("fixed").datasets;
    // Friday 2027-01-08 23:30 UTC: 08:30 on Saturday in Tokyo, 18:30 on Friday in New York.
    const input = await d.create(`SELECT * FROM (VALUES ('tokyo-1'), ('ny-1'), ('nobody')) AS t(customer_id)`);
    await h.ctx("fixed").profiles.writeTraits([
      { userId: "tokyo-1", traits: { timezone: "Asia/Tokyo" } },
      { userId: "ny-1", traits: { timezone: "America/New_York" } },
    ]);
    const res = await h.run(
      wait,
      { mode: "at", date: "2027-01-08T23:30:00Z", customerId: "customer_id", window: true, days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "20:00", timeZone: "UTC" },
      { rows: input },
    );
    // Tokyo: Monday 09:00 JST = Monday 2027-01-11 00:00 UTC. New York: inside (18:30). No profile: UTC 23:30 Friday -> Monday 09:00 UTC.
    expect(res.metrics).toMatchObject({
      customers: 3,
      parts: 3,
      schedule: [
        { at: "2027-01-08T23:30:00.000Z", customers: 1 },
        { at: "2027-01-11T00:00:00.000Z", customers: 1 },
        { at: "2027-01-11T09:00:00.000Z", customers: 1 },
      ],
    });
  });

  it("refuses a fixed date that is not one, naming the field", async () => {
    const input = await h.ctx("bad").datasets.create(`SELECT 'a' AS customer_id`);
    await expect(h.run(wait, { mode: "at", date: "next tuesday" }, { rows: input })).rejects.toThrow(/date/);
  });
});
