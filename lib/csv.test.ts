// CSV cells: RFC 4180 quoting and formula-injection neutralising.
import { describe, expect, it } from "vitest";
import { csvCell, csvRow, FORMULA_STARTS, neutraliseFormula, toCsv } from "./csv";

describe("csvCell", () => {
  it("leaves plain text alone", () => {
    expect(csvCell("flow.save")).toBe("flow.save");
    expect(csvCell("jane@example.com")).toBe("jane@example.com");
    expect(csvCell("")).toBe("");
    expect(csvCell("a = b")).toBe("a = b");
  });

  it("writes null and undefined as empty cells, numbers as text, objects as JSON", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(true)).toBe("true");
    expect(csvCell({ role: "editor" })).toBe('"{""role"":""editor""}"');
  });

  it("quotes cells with commas, quotes and line breaks, doubling the quotes", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line 1\nline 2")).toBe('"line 1\nline 2"');
    expect(csvCell("line 1\r\nline 2")).toBe('"line 1\r\nline 2"');
    expect(csvCell('"')).toBe('""""');
  });

  it("neutralises cells a spreadsheet would run as a formula", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell(-5)).toBe("'-5");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\t=cmd")).toBe("'\t=cmd");
    // CR makes the cell quoted as well.
    expect(csvCell("\r=cmd")).toBe("\"'\r=cmd\"");
  });

  it("neutralises and quotes a formula that also has commas and quotes", () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe('"\'=HYPERLINK(""http://evil.example"",""click"")"');
  });

  it("only looks at the first character", () => {
    expect(csvCell("a=1")).toBe("a=1");
    expect(csvCell(" =1")).toBe(" =1");
    expect(csvCell("x-1")).toBe("x-1");
  });
});

describe("neutraliseFormula (text cells of dataset downloads)", () => {
  it("puts a single quote before text a spreadsheet would run, and leaves other text alone", () => {
    expect(neutraliseFormula('=HYPERLINK("http://evil.example","click")')).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(neutraliseFormula("@SUM(A1:A2)")).toBe("'@SUM(A1:A2)");
    expect(neutraliseFormula("-2")).toBe("'-2"); // "-2" as text; a number -2 never reaches this
    expect(neutraliseFormula("+33 6 12 34 56 78")).toBe("'+33 6 12 34 56 78");
    expect(neutraliseFormula("\tx")).toBe("'\tx");
    expect(neutraliseFormula("\rx")).toBe("'\rx");
    expect(neutraliseFormula("C-2")).toBe("C-2");
    expect(neutraliseFormula("")).toBe("");
    expect(neutraliseFormula("'=already")).toBe("'=already");
  });

  it("lists the same first characters for SQL as it checks itself", () => {
    for (const c of FORMULA_STARTS) expect(neutraliseFormula(`${c}x`)).toBe(`'${c}x`);
    expect(FORMULA_STARTS).toEqual(["=", "+", "-", "@", "\t", "\r"]);
  });
});

describe("csvRow and toCsv", () => {
  it("joins cells with commas", () => {
    expect(csvRow(["a", "b,c", null, "=x"])).toBe('a,"b,c",,\'=x');
  });

  it("ends every row with CRLF and can start with a byte order mark", () => {
    expect(toCsv(["time", "action"], [["t1", "flow.save"], ["t2", "a\nb"]])).toBe('time,action\r\nt1,flow.save\r\nt2,"a\nb"\r\n');
    expect(toCsv(["x"], [], { bom: true })).toBe("\uFEFFx\r\n");
  });
});
