import { describe, expect, it } from "vitest";
import { triggerWords } from "./trigger-words";

describe("triggerWords", () => {
  it("says what started a run", () => {
    expect(triggerWords("event", { kind: "event", size: 342, source: "shop" })).toBe("342 events from shop");
    expect(triggerWords("event", { kind: "event", size: 1, source: "shop" })).toBe("1 event from shop");
    expect(triggerWords("webhook", { kind: "webhook", size: 3 })).toBe("3 webhook calls");
    expect(triggerWords("audience", { kind: "audience", size: 1200 })).toBe("1,200 customers entered or left the audience");
    expect(triggerWords("manual", { kind: "manual", source: "ann@example.com" })).toBe("By hand (ann@example.com)");
    expect(triggerWords("cli", null)).toBe("By hand (CLI)");
    expect(triggerWords("schedule", { kind: "schedule" })).toBe("Schedule");
    expect(triggerWords("manual", { kind: "manual", source: "ann@example.com", sample: { rows: 1000, seed: 1 } })).toBe("By hand (ann@example.com), on a sample of 1,000 rows per source");
  });
});
