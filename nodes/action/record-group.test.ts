import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "../sdk";
import { RecordGroup } from "./record-group";

const row = (customer: string): LedgerEntry => ({ customer, channel: "email", status: "sent" });

describe("RecordGroup", () => {
  it("writes once every busy sender has a row waiting, and each waits for its write", async () => {
    const writes: string[][] = [];
    let busy = 3;
    const g = new RecordGroup(async (rows) => void writes.push(rows.map((r) => r.customer)), () => busy, 10_000);
    const a = g.add(row("a"));
    const b = g.add(row("b"));
    expect(writes).toEqual([]);
    const c = g.add(row("c"));
    await Promise.all([a, b, c]);
    expect(writes).toEqual([["a", "b", "c"]]);
    // One sender finished without a row: the two waiting are all that is busy now.
    const d = g.add(row("d"));
    const e = g.add(row("e"));
    expect(writes).toHaveLength(1);
    busy = 2;
    g.settle();
    await Promise.all([d, e]);
    expect(writes).toEqual([["a", "b", "c"], ["d", "e"]]);
  });

  it("writes after the longest wait when others stay busy, and passes a failed write to every waiter", async () => {
    const writes: string[][] = [];
    const g = new RecordGroup(async (rows) => void writes.push(rows.map((r) => r.customer)), () => 4, 20);
    const started = Date.now();
    await g.add(row("x"));
    expect(writes).toEqual([["x"]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    const failing = new RecordGroup(() => Promise.reject(new Error("disk full")), () => 2, 10_000);
    const both = [failing.add(row("p")), failing.add(row("q"))];
    for (const p of both) await expect(p).rejects.toThrow("disk full");
  });
});
