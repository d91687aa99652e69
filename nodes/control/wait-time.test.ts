import { describe, expect, it } from "vitest";
import { nextInWindow, validZone } from "./wait-time";

const weekdays = { days: ["mon", "tue", "wed", "thu", "fri"] as const, from: "09:00", to: "20:00" };

describe("nextInWindow", () => {
  it("keeps a time inside the window", () => {
    // Wednesday 2026-12-02 12:00 in Paris (UTC+1) is 11:00Z.
    const t = Date.parse("2026-12-02T11:00:00Z");
    expect(nextInWindow(t, "Europe/Paris", weekdays)).toBe(t);
  });

  it("moves 23:00 to 09:00 the next morning in the customer's zone", () => {
    // Wednesday 23:00 in Paris = 22:00Z; Thursday 09:00 Paris = 08:00Z.
    expect(nextInWindow(Date.parse("2026-12-02T22:00:00Z"), "Europe/Paris", weekdays)).toBe(Date.parse("2026-12-03T08:00:00Z"));
    // The same instant is 17:00 in New York (UTC-5): inside the window there.
    expect(nextInWindow(Date.parse("2026-12-02T22:00:00Z"), "America/New_York", weekdays)).toBe(Date.parse("2026-12-02T22:00:00Z"));
  });

  it("skips the weekend", () => {
    // Friday 2026-12-04 21:30 Tokyo (UTC+9) = 12:30Z; Monday 09:00 Tokyo = Sunday 2026-12-06 00:00Z.
    expect(nextInWindow(Date.parse("2026-12-04T12:30:00Z"), "Asia/Tokyo", weekdays)).toBe(Date.parse("2026-12-07T00:00:00Z"));
  });

  it("starts the same day when before the window opens", () => {
    // Monday 2026-12-07 06:15:30 UTC; window opens 09:00 UTC.
    expect(nextInWindow(Date.parse("2026-12-07T06:15:30Z"), "UTC", weekdays)).toBe(Date.parse("2026-12-07T09:00:00Z"));
  });

  it("lands on the window's start across a change to summer time", () => {
    // Saturday 2027-03-27 22:00 Paris (UTC+1) = 21:00Z; clocks go forward that night; Monday 09:00 Paris (UTC+2) = 07:00Z.
    expect(nextInWindow(Date.parse("2027-03-27T21:00:00Z"), "Europe/Paris", weekdays)).toBe(Date.parse("2027-03-29T07:00:00Z"));
  });

  it("refuses an empty window and knows real zones", () => {
    expect(() => nextInWindow(0, "UTC", { days: [], from: "09:00", to: "10:00" })).toThrow(/empty/);
    expect(validZone("Europe/Paris")).toBe(true);
    expect(validZone("Mars/Olympus")).toBe(false);
  });
});
