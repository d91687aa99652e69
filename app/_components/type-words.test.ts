// Column types in words, checked against the types DuckDB gives the Telco file and a few more.
import { describe, expect, it } from "vitest";
import { typeTitle, typeWord } from "./type-words";

describe("typeWord", () => {
  it("names the types DuckDB reads the Telco file as", () => {
    // customerID VARCHAR, SeniorCitizen BIGINT, Partner BOOLEAN, MonthlyCharges DOUBLE (DESCRIBE of the file).
    expect(typeWord("VARCHAR")).toBe("Text");
    expect(typeWord("BIGINT")).toBe("Number");
    expect(typeWord("BOOLEAN")).toBe("Yes/No");
    expect(typeWord("DOUBLE")).toBe("Number");
  });

  it("names numbers, dates, times, lists and records of every spelling", () => {
    for (const t of ["INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "FLOAT", "REAL", "DECIMAL(18,3)", "decimal", "NUMERIC(10, 2)"]) expect(typeWord(t), t).toBe("Number");
    expect(typeWord("DATE")).toBe("Date");
    for (const t of ["TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "timestamp"]) expect(typeWord(t), t).toBe("Date and time");
    expect(typeWord("TIME")).toBe("Time");
    for (const t of ["VARCHAR[]", "INTEGER[3]", "LIST(VARCHAR)"]) expect(typeWord(t), t).toBe("List");
    expect(typeWord("STRUCT(a INTEGER, b VARCHAR)")).toBe("Record");
    expect(typeWord("MAP(VARCHAR, INTEGER)")).toBe("Record");
    expect(typeWord("ENUM('a', 'b')")).toBe("Text");
    expect(typeWord("UUID")).toBe("Text");
    expect(typeWord("BLOB")).toBe("Other");
    expect(typeWord(null)).toBe("Other");
    expect(typeWord("")).toBe("Other");
  });

  it("keeps the raw type for the tooltip", () => {
    expect(typeTitle("BIGINT")).toBe("Number (BIGINT in DuckDB)");
    expect(typeTitle(null)).toBe("Type unknown");
  });
});
