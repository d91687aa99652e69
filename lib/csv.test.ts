// CSV cells: RFC 4180 quoting and formula-injection neutralising.
import { describe, expect, it } from "vitest";
import { csvCell, csvRow, toCsv } from "./csv";

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

describe("csvRow and toCsv", () => {
  it("joins cells with commas", () => {
    expect(csvRow(["a", "b,c", null, "=x"])).toBe('a,"b,c",,\'=x');
  });

  it("ends every row with CRLF and can start with a byte order mark", () => {
    expect(toCsv(["time", "action"], [["t1", "flow.save"], ["t2", "a\nb"]])).toBe('time,action\r\nt1,flow.save\r\nt2,"a\nb"\r\n');
    expect(toCsv(["x"], [], { bom: true })).toBe("\uFEFFx\r\n");
  });
});
