import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import validate from "./validate.node.ts";

let h: Harness;
let people: DatasetRef;
let countries: DatasetRef;

// id, email, age, country, code
const PEOPLE = `SELECT * FROM (VALUES
  (1, 'ann@example.com', 34, 'FR', 'AB-12'),
  (2, 'bob@example', 17, 'DE', 'AB-1'),
  (3, NULL, 51, ' FR ', 'XY-99'),
  (4, 'dee@example.org', NULL, 'US', 'ab-12'),
  (5, '  ', 230, 'FR', NULL),
  (5, 'not an address', 40, NULL, 'ZZ-00')
) t(id, email, age, country, code)`;

beforeAll(async () => {
  h = harness();
  const ds = h.ctx("setup").datasets;
  people = await ds.create(PEOPLE);
  countries = await ds.create(`SELECT * FROM (VALUES ('FR', 'France'), ('DE', 'Germany')) t(iso, name)`);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, rows: DatasetRef = people, reference?: DatasetRef) {
  const res = await h.run(validate, config, { rows, ...(reference ? { reference } : {}) });
  const ds = h.ctx("q").datasets;
  const valid = res.outputs.valid as DatasetRef;
  const quarantine = res.outputs.quarantine as DatasetRef;
  return {
    valid,
    quarantine,
    validRows: await ds.query(`SELECT * FROM ${ds.from(valid)}`),
    quarantineRows: await ds.query(`SELECT * FROM ${ds.from(quarantine)}`),
    metrics: res.metrics as { rowsIn: number; validRows: number; quarantinedRows: number; rules: Record<string, { check: string; column: string; passed: number; failed: number }> },
  };
}

describe("transform.validate", () => {
  it("checks each rule and names the failed ones per quarantined row, in input order", async () => {
    const r = await run({
      rules: [
        { column: "id", check: "unique" },
        { column: "email", check: "notNull" },
        { column: "email", check: "email" },
        { column: "age", check: "range", min: 18, max: 120 },
        { column: "country", check: "allowedValues", values: ["FR", "DE"] },
        { column: "code", check: "pattern", pattern: "[A-Z]{2}-[0-9]{2}", name: "code format" },
      ],
    });
    expect(r.valid.columns).toEqual(people.columns);
    expect(r.validRows).toEqual([{ id: 1, email: "ann@example.com", age: 34, country: "FR", code: "AB-12" }]);
    expect(r.quarantine.columns.map((c) => c.name)).toEqual(["id", "email", "age", "country", "code", "_failed_rules"]);
    expect(r.quarantineRows.map((q) => [q.id, q._failed_rules])).toEqual([
      [2, ["email(email)", "range(age)", "code format"]],
      [3, ["notNull(email)"]],
      [4, ["allowedValues(country)", "code format"]],
      [5, ["unique(id)", "notNull(email)", "range(age)"]],
      [5, ["unique(id)", "email(email)"]],
    ]);
    expect(r.metrics.rowsIn).toBe(6);
    expect(r.metrics.validRows).toBe(1);
    expect(r.metrics.quarantinedRows).toBe(5);
    expect(r.metrics.rules).toEqual({
      "unique(id)": { check: "unique", column: "id", passed: 4, failed: 2 },
      "notNull(email)": { check: "notNull", column: "email", passed: 4, failed: 2 },
      "email(email)": { check: "email", column: "email", passed: 4, failed: 2 },
      "range(age)": { check: "range", column: "age", passed: 4, failed: 2 },
      "allowedValues(country)": { check: "allowedValues", column: "country", passed: 5, failed: 1 },
      "code format": { check: "pattern", column: "code", passed: 4, failed: 2 },
    });
  });

  it("keeps spaces when trim is off: a blank e-mail is present, ' FR ' is not FR", async () => {
    const r = await run({
      trim: false,
      rules: [
        { column: "email", check: "notNull" },
        { column: "country", check: "allowedValues", values: ["FR", "DE", "US"] },
      ],
    });
    expect(r.quarantineRows.map((q) => [q.id, q._failed_rules])).toEqual([
      [3, ["notNull(email)", "allowedValues(country)"]],
    ]);
  });

  it("checks values against a reference table, as text when the types differ", async () => {
    const r = await run({ rules: [{ column: "country", check: "foreignKey", referenceColumn: "iso" }] }, people, countries);
    expect(r.quarantineRows.map((q) => [q.id, q.country])).toEqual([[4, "US"]]);
    const codes = await h.ctx("setup").datasets.create(`SELECT * FROM (VALUES ('1'), ('2'), ('3')) t(id)`);
    const byId = await run({ rules: [{ column: "id", check: "foreignKey" }] }, people, codes);
    expect(byId.quarantineRows.map((q) => q.id)).toEqual([4, 5, 5]);
  });

  it("accepts common e-mail addresses and refuses malformed ones", async () => {
    const good = ["first.last+tag@sub.example.co.uk", "o'hara@example.ie", "x_y-z@a-b.io", "UPPER@EXAMPLE.COM"];
    const bad = ["no-at.example.com", "two@@example.com", "trailing@example.", "space in@example.com", "dot@-example.com", "bare@localhost", "@example.com"];
    const ds = h.ctx("setup").datasets;
    const mails = await ds.create(`SELECT * FROM (VALUES ${[...good, ...bad].map((m) => `(${ds.literal(m)})`).join(", ")}) t(email)`);
    const r = await run({ rules: [{ column: "email", check: "email" }] }, mails);
    expect(r.validRows.map((x) => x.email)).toEqual(good);
    expect(r.quarantineRows.map((x) => x.email)).toEqual(bad);
  });

  it("puts every input row in exactly one output", async () => {
    const r = await run({ rules: [{ column: "age", check: "range", max: 50 }, { column: "email", check: "email" }] });
    expect(r.valid.rows + r.quarantine.rows).toBe(people.rows);
    const key = (x: Record<string, unknown>) => JSON.stringify([x.id, x.email, x.age, x.country, x.code]);
    const all = await h.ctx("q").datasets.query(`SELECT * FROM ${h.ctx("q").datasets.from(people)}`);
    expect([...r.validRows, ...r.quarantineRows].map(key).sort()).toEqual(all.map(key).sort());
  });

  it("evaluates patterns with RE2: a catastrophic-backtracking pattern on a 50,000-character value completes", async () => {
    const long = await h.ctx("setup").datasets.create(`SELECT * FROM (VALUES (1, repeat('a', 50000) || 'b'), (2, repeat('a', 50000))) t(id, s)`);
    const r = await run({ rules: [{ column: "s", check: "pattern", pattern: "(a+)+$" }] }, long);
    expect(r.validRows.map((x) => x.id)).toEqual([2]);
    expect(r.quarantineRows.map((x) => x.id)).toEqual([1]);
  });

  it("names the rule whose pattern DuckDB cannot compile", async () => {
    const bad = await failure(run({ rules: [{ column: "code", check: "notNull" }, { column: "code", check: "pattern", pattern: "(a", name: "broken" }] }));
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.where).toBe("rules.1.pattern");
    expect(bad.message).toContain('"broken"');
    expect(bad.message).toMatch(/missing \)/);
    // Look-arounds are Perl, not RE2.
    const look = await failure(run({ rules: [{ column: "code", check: "pattern", pattern: "(?<=A)B" }] }));
    expect(look).toBeInstanceOf(ConfigError);
    expect(look.message).toContain("pattern(code)");
  });

  it("names unknown columns and missing rule settings", async () => {
    const cases: [Record<string, unknown>, string, DatasetRef?][] = [
      [{ column: "nope", check: "notNull" }, "rules.0.column"],
      [{ column: "age", check: "range" }, "rules.0.min"],
      [{ column: "country", check: "allowedValues" }, "rules.0.values"],
      [{ column: "code", check: "pattern" }, "rules.0.pattern"],
      [{ column: "country", check: "foreignKey" }, "rules.0.check"],
      [{ column: "country", check: "foreignKey", referenceColumn: "code" }, "rules.0.referenceColumn", countries],
    ];
    for (const [r, where, ref] of cases) {
      const bad = await failure(run({ rules: [r] }, people, ref));
      expect(bad, where).toBeInstanceOf(ConfigError);
      expect(bad.where).toBe(where);
    }
    const dup = await failure(run({ rules: [{ column: "age", check: "notNull" }, { column: "age", check: "notNull" }] }));
    expect(dup.where).toBe("rules.1.name");
    expect(await failure(run({ rules: [] }))).toBeInstanceOf(ConfigError);
  });

  describe("on Telco", () => {
    let telco: DatasetRef;
    const lines = () => readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(","));

    beforeAll(async () => {
      telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
    });

    it("quarantines exactly the 11 blank TotalCharges; customerID is unique; every Contract is allowed", async () => {
      const blanks = lines().filter((f) => f[19]!.trim() === "").map((f) => f[0]);
      expect(blanks).toHaveLength(11);
      const r = await run(
        {
          rules: [
            { column: "TotalCharges", check: "notNull" },
            { column: "customerID", check: "unique" },
            { column: "Contract", check: "allowedValues", values: ["Month-to-month", "One year", "Two year"] },
          ],
        },
        telco,
      );
      expect(r.quarantineRows.map((q) => q.customerID)).toEqual(blanks);
      expect(r.quarantineRows.every((q) => JSON.stringify(q._failed_rules) === '["notNull(TotalCharges)"]')).toBe(true);
      expect(r.metrics.rules).toEqual({
        "notNull(TotalCharges)": { check: "notNull", column: "TotalCharges", passed: 7032, failed: 11 },
        "unique(customerID)": { check: "unique", column: "customerID", passed: 7043, failed: 0 },
        "allowedValues(Contract)": { check: "allowedValues", column: "Contract", passed: 7043, failed: 0 },
      });
      expect(r.valid.rows + r.quarantine.rows).toBe(7043);
      const ds = h.ctx("q").datasets;
      const ids = await ds.query<{ id: string }>(`SELECT customerID AS id FROM ${ds.from(r.valid)} UNION ALL SELECT customerID FROM ${ds.from(r.quarantine)}`);
      expect(ids.map((x) => x.id).sort()).toEqual(lines().map((f) => f[0]).sort());
    });

    it("quarantines the two-year contracts when only monthly and one-year are allowed", async () => {
      const twoYear = lines().filter((f) => f[15] === "Two year").length;
      const r = await run({ rules: [{ column: "Contract", check: "allowedValues", values: ["Month-to-month", "One year"] }] }, telco);
      expect(r.quarantine.rows).toBe(twoYear);
      expect(r.metrics.rules["allowedValues(Contract)"]).toEqual({ check: "allowedValues", column: "Contract", passed: 7043 - twoYear, failed: twoYear });
    });
  });
});
