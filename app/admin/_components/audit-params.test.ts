// The audit export's query parameters: what the page writes, the route reads back, bad ones named.
import { describe, expect, it } from "vitest";
import { auditSearchParams, compactDetail, CSV_MAX_ROWS, dayEnd, dayStart, parseAuditParams } from "./audit-params";

const parse = (qs: string) => parseAuditParams(new URLSearchParams(qs));

describe("audit export parameters", () => {
  it("reads back what the page writes", () => {
    const query = { action: "flow.", actor: "jane@example.com", target: "Churn, v2", outcome: "failed" as const, from: 1_718_000_000_000, to: 1_718_086_399_999 };
    expect(parseAuditParams(auditSearchParams(query))).toEqual({ ok: true, query, limit: CSV_MAX_ROWS });
    expect(parse("")).toEqual({ ok: true, query: {}, limit: CSV_MAX_ROWS });
    expect(auditSearchParams({}).toString()).toBe("");
  });

  it("takes dates, times and a limit", () => {
    const r = parse("from=2024-06-10&to=2024-06-10T12:00:00Z&limit=50&actor=%20");
    expect(r).toEqual({ ok: true, query: { from: Date.UTC(2024, 5, 10), to: Date.UTC(2024, 5, 10, 12) }, limit: 50 });
  });

  it("refuses bad parameters, naming them", () => {
    const cases: [string, string][] = [
      ["outcome=maybe", "outcome"],
      ["action=flow.save%3Bdrop", "action"],
      [`action=${"a".repeat(101)}`, "action"],
      [`actor=${"a".repeat(321)}`, "actor"],
      [`target=${"a".repeat(501)}`, "target"],
      ["from=yesterday", "from"],
      ["to=2024-13-45", "to"],
      ["from=2024-06-11&to=2024-06-10", "to"],
      ["limit=0", "limit"],
      ["limit=10001", "limit"],
      ["limit=ten", "limit"],
      ["outcom=ok", "outcom"],
      ["actor=a&actor=b", "actor"],
    ];
    for (const [qs, param] of cases) {
      const r = parse(qs);
      expect(r.ok, qs).toBe(false);
      if (!r.ok) {
        expect(r.param, qs).toBe(param);
        expect(r.message, qs).toContain(`"${param}"`);
      }
    }
  });
});

describe("compactDetail", () => {
  it("puts the detail on one short line", () => {
    expect(compactDetail(null)).toBe("");
    expect(compactDetail({ role: "editor", sessions: 2, from: null, hosts: ["a", "b"] })).toBe('role: editor; sessions: 2; from: null; hosts: ["a","b"]');
    expect(compactDetail({ role: "editor", expiresAt: Date.UTC(2024, 5, 17, 8) })).toBe("role: editor; expiresAt: 2024-06-17 08:00 UTC");
    const long = compactDetail({ reason: "x".repeat(500) }, 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("calendar days", () => {
  it("span a local day, both ends included", () => {
    const start = dayStart("2024-06-10")!;
    const end = dayEnd("2024-06-10")!;
    expect(new Date(start).getHours()).toBe(0);
    expect(new Date(end).getDate()).toBe(10);
    expect(end - start).toBe(24 * 3600_000 - 1);
    expect(dayStart("")).toBeUndefined();
    expect(dayEnd("not a day")).toBeUndefined();
  });
});
