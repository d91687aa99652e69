// What the dataset preview shows first, how scores read, what a number filter accepts, and the download link.
import { describe, expect, it } from "vitest";
import { downloadUrl, isIdColumn, isScoreColumn, isShaped, parseFilterNumber, percent, safeFileStem, usefulOrder, viewSpecSchema } from "./dataset-view";

describe("useful columns first", () => {
  it("knows identifiers by name: id, …_id, …Id, …ID, not words that end in 'id'", () => {
    for (const name of ["id", "ID", "customer_id", "customerID", "customerId", "user-id", "Order ID", "account.id"]) expect(isIdColumn(name), name).toBe(true);
    for (const name of ["paid", "valid", "Android", "idle", "identity", "IDs"]) expect(isIdColumn(name), name).toBe(false);
  });

  it("knows a model's outputs by name", () => {
    for (const name of ["score", "churn_score", "score_Yes", "uplift", "uplift_ct", "p_treated", "p_control", "prediction", "predicted", "probability"]) expect(isScoreColumn(name), name).toBe(true);
    // A test's p_value is not a model output, nor a share to show as a percentage.
    for (const name of ["tenure", "Churn", "plan", "predictor_count_x", "p_value", "P_VALUE", "p_val"]) expect(isScoreColumn(name), name).toBe(false);
  });

  it("orders identifiers, then scores, then the rest, each in the dataset's order", () => {
    const cols = ["gender", "tenure", "churn_score", "customerID", "Churn", "prediction", "account_id"].map((name) => ({ name }));
    expect(usefulOrder(cols).map((c) => c.name)).toEqual(["customerID", "account_id", "churn_score", "prediction", "gender", "tenure", "Churn"]);
  });
});

describe("scores and number filters", () => {
  it("reads a probability as a percentage with one decimal", () => {
    expect(percent(0.83412)).toBe("83.4 %");
    expect(percent(1)).toBe("100.0 %");
    expect(percent(0)).toBe("0.0 %");
    expect(percent(0.00049)).toBe("0.0 %");
  });

  it("takes numbers and percentages as typed, and nothing else", () => {
    expect(parseFilterNumber("0.5")).toBe(0.5);
    expect(parseFilterNumber(" -2 ")).toBe(-2);
    expect(parseFilterNumber("1,234.5")).toBe(1234.5);
    expect(parseFilterNumber("50 %")).toBe(0.5);
    expect(parseFilterNumber("83.4%")).toBeCloseTo(0.834, 12);
    expect(parseFilterNumber(".5")).toBe(0.5);
    expect(parseFilterNumber("1e3")).toBe(1000);
    for (const bad of ["", "abc", "5 5", "%", "1e999", "--1"]) expect(parseFilterNumber(bad), bad).toBeUndefined();
  });
});

describe("the view and its download link", () => {
  it("fills in an empty view and tells whether a view shapes anything", () => {
    expect(viewSpecSchema.parse({})).toEqual({ filters: [], search: "" });
    expect(isShaped({})).toBe(false);
    expect(isShaped({ search: "  " })).toBe(false);
    expect(isShaped({ search: "x" })).toBe(true);
    expect(isShaped({ sort: { column: "a", direction: "desc" } })).toBe(true);
    expect(viewSpecSchema.safeParse({ filters: [{ column: "a", op: ">", value: "3" }] }).success).toBe(false);
    expect(viewSpecSchema.safeParse({ filters: [{ column: "a", op: "contains", value: 3 }] }).success).toBe(false);
  });

  it("puts the view in the link only when it shapes the rows", () => {
    expect(downloadUrl("ds_abc", "csv")).toBe("/api/datasets/ds_abc/download?format=csv");
    expect(downloadUrl("ds_abc", "parquet", { spec: { filters: [] }, name: "score" })).toBe("/api/datasets/ds_abc/download?format=parquet&name=score");
    const url = new URL(downloadUrl("ds_abc", "csv", { spec: { sort: { column: "churn_score", direction: "desc" }, search: "a&b" } }), "http://x");
    expect(JSON.parse(url.searchParams.get("view")!)).toEqual({ sort: { column: "churn_score", direction: "desc" }, search: "a&b" });
  });

  it("makes safe file names", () => {
    expect(safeFileStem("Telco churn · score")).toBe("Telco-churn-score");
    expect(safeFileStem("Café/../../etc")).toBe("Cafe-..-..-etc");
    expect(safeFileStem('a"b;c')).toBe("a-b-c");
    expect(safeFileStem("...")).toBe("dataset");
  });
});
