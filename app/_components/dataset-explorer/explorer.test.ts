// The preview's header clicks and filter chips, in words.
import { describe, expect, it } from "vitest";
import { filterText } from "./explorer-filters";
import { nextSort, type ExplorerColumn } from "./explorer-table";

describe("sorting by clicking a header", () => {
  it("goes highest first, then lowest first, then back to the file's order; another column starts again", () => {
    const first = nextSort(undefined, "churn_score");
    expect(first).toEqual({ column: "churn_score", direction: "desc" });
    const second = nextSort(first, "churn_score");
    expect(second).toEqual({ column: "churn_score", direction: "asc" });
    expect(nextSort(second, "churn_score")).toBeUndefined();
    expect(nextSort(second, "tenure")).toEqual({ column: "tenure", direction: "desc" });
  });
});

describe("filters in words", () => {
  const columns: ExplorerColumn[] = [
    { name: "churn_score", type: "DOUBLE", kind: "number", role: "score", percent: true },
    { name: "tenure", type: "BIGINT", kind: "number", role: null, percent: false },
  ];
  it("shows score thresholds as percentages and text in quotes", () => {
    expect(filterText({ column: "churn_score", op: ">=", value: 0.5 }, columns)).toBe("churn_score ≥ 50.0 %");
    expect(filterText({ column: "tenure", op: "<", value: -2 }, columns)).toBe("tenure < -2");
    expect(filterText({ column: "plan", op: "contains", value: "gold" }, columns)).toBe('plan contains "gold"');
    expect(filterText({ column: "plan", op: "equals", value: "Gold" }, columns)).toBe('plan is exactly "Gold"');
  });
});
