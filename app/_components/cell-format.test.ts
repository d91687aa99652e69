// How the data previews show one value: the cases the run page's table and the dataset explorer share.
import { describe, expect, it } from "vitest";
import { formatCell } from "./cell-format";

describe("formatCell", () => {
  it("shows no value as null, whatever the column's type", () => {
    expect(formatCell(null, "VARCHAR")).toEqual({ text: "null", look: "empty" });
    expect(formatCell(undefined, "DOUBLE", true)).toEqual({ text: "null", look: "empty" });
  });

  it("shows true/false as DuckDB gives them", () => {
    expect(formatCell(true, "BOOLEAN")).toEqual({ text: "true", look: "flag" });
    expect(formatCell(false, "BOOLEAN")).toEqual({ text: "false", look: "flag" });
  });

  it("shows numbers as they are, big integers whole, and a blank text as blank text", () => {
    expect(formatCell(29.85, "DOUBLE")).toEqual({ text: "29.85", look: "number" });
    expect(formatCell(0, "BIGINT")).toEqual({ text: "0", look: "number" });
    expect(formatCell(-3, "INTEGER")).toEqual({ text: "-3", look: "number" });
    expect(formatCell(9007199254740993n, "HUGEINT")).toEqual({ text: "9007199254740993", look: "number" });
    expect(formatCell("", "VARCHAR")).toEqual({ text: "", look: "text" });
    expect(formatCell(" ", "VARCHAR")).toEqual({ text: " ", look: "text" });
  });

  it("shows a score as a percentage with one decimal, the raw value in the tooltip", () => {
    expect(formatCell(0.834, "DOUBLE", true)).toEqual({ text: "83.4 %", look: "number", title: "0.834" });
    expect(formatCell(1, "DOUBLE", true)).toEqual({ text: "100.0 %", look: "number", title: "1" });
    expect(formatCell(0.00049, "DOUBLE", true)).toEqual({ text: "0.0 %", look: "number", title: "0.00049" });
    // Not a score: the same number as it is.
    expect(formatCell(0.834, "DOUBLE")).toEqual({ text: "0.834", look: "number" });
  });

  it("shows dates and times as the file wrote them, not in the browser's time zone", () => {
    // DuckDB hands DATE '2024-01-31' back as midnight UTC.
    expect(formatCell(new Date(Date.UTC(2024, 0, 31)), "DATE")).toEqual({ text: "2024-01-31", look: "text" });
    expect(formatCell(new Date(Date.UTC(2024, 0, 31, 8, 30)), "TIMESTAMP")).toEqual({ text: "2024-01-31 08:30:00", look: "text" });
    expect(formatCell(new Date(Date.UTC(2024, 0, 31, 23, 59, 59, 250)), "TIMESTAMP")).toEqual({ text: "2024-01-31 23:59:59.250", look: "text" });
    expect(formatCell(new Date(Number.NaN), "DATE")).toEqual({ text: "Invalid date", look: "text" });
  });

  it("shows lists and records as JSON (big integers as digits) and cuts long text with the whole in the tooltip", () => {
    expect(formatCell([1, 2, 3], "INTEGER[]")).toEqual({ text: "[1,2,3]", look: "code" });
    expect(formatCell({ plan: "Gold", seats: 12n }, "STRUCT(plan VARCHAR, seats HUGEINT)")).toEqual({ text: '{"plan":"Gold","seats":"12"}', look: "code" });
    const at48 = "x".repeat(48);
    const at49 = "y".repeat(49);
    expect(formatCell(at48, "VARCHAR")).toEqual({ text: at48, look: "text" });
    expect(formatCell(at49, "VARCHAR")).toEqual({ text: at49, look: "text", title: at49 });
  });
});
