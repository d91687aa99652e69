import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, type Harness } from "../../../tests/harness";
import { blockKey, compareValue, similarity, soundex, normText, type CompareMethod } from "./sql";
import { UnionFind } from "./union-find";

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

const one = async (sql: string) => Object.values((await h.ctx("q").datasets.query(`SELECT ${sql} AS v`))[0]!)[0];

describe("identity SQL helpers", () => {
  it("computes American Soundex", async () => {
    const cases: [string | null, string | null][] = [
      ["Robert", "R163"], ["Rupert", "R163"], ["Rubin", "R150"], ["Ashcraft", "A261"], ["Ashcroft", "A261"],
      ["Tymczak", "T522"], ["Pfister", "P236"], ["Honeyman", "H555"], ["Lee", "L000"], ["  O'Hara ", "O600"],
      ["Washington", "W252"], ["Hall", "H400"], ["", null], [null, null], ["123", null],
    ];
    const ds = h.ctx("q").datasets;
    for (const [name, code] of cases) {
      expect(await one(soundex(normText(name === null ? "NULL" : ds.literal(name)))), String(name)).toBe(code);
    }
  });

  it("makes blocking keys: exact ignores case and spaces, prefix, year of a date", async () => {
    const lit = h.ctx("q").datasets.literal;
    expect(await one(blockKey(lit("  New   York "), "VARCHAR", "exact", 3))).toBe("new york");
    expect(await one(blockKey(lit(" Schmidt"), "VARCHAR", "prefix", 3))).toBe("sch");
    expect(await one(blockKey(lit(" "), "VARCHAR", "prefix", 3))).toBe(null);
    expect(await one(blockKey(lit("19850214"), "VARCHAR", "year", 3))).toBe(1985);
    expect(await one(blockKey(lit("14/02/1985"), "VARCHAR", "year", 3))).toBe(1985);
    expect(await one(blockKey("DATE '1985-02-14'", "DATE", "year", 3))).toBe(1985);
  });

  it("scores similarities between 0 and 1, NULL when a side is missing", async () => {
    const lit = h.ctx("q").datasets.literal;
    const sim = async (a: string | null, b: string | null, method: CompareMethod, type = "VARCHAR") => {
      const v = (x: string | null) => compareValue(x === null ? "NULL" : lit(x), type, method);
      return one(`CAST(${similarity(v(a), v(b), method)} AS DOUBLE)`);
    };
    expect(await sim("Smith", " smith ", "exact")).toBe(1);
    expect(await sim("Smith", "Smyth", "exact")).toBe(0);
    expect(await sim("Smith", null, "exact")).toBe(null);
    expect(await sim("martha", "marhta", "jaro_winkler")).toBeCloseTo(0.9611, 4);
    expect(await sim("kitten", "sitting", "levenshtein")).toBeCloseTo(1 - 3 / 7, 10);
    expect(await sim("19850214", "1985-02-14", "date")).toBe(1);
    expect(await sim("19850214", "19851402", "date")).toBe(0.8);
    expect(await sim("19850214", "19850241", "date")).toBe(0.7);
    expect(await sim("19850214", "19850215", "date")).toBe(0.7);
    expect(await sim("19850214", "19900101", "date")).toBe(0);
    expect(await sim("SW1A 1AA", "sw1a1aa", "postcode")).toBe(1);
    expect(await sim("2000", "2001", "postcode")).toBe(0.6);
    expect(await sim("2000", "3100", "postcode")).toBe(0);
  });
});

describe("UnionFind", () => {
  it("labels each component by its smallest member", () => {
    const uf = new UnionFind();
    for (const [a, b] of [[5, 9], [9, 2], [7, 8], [2, 5], [11, 7]] as const) uf.union(a, b);
    expect([2, 5, 9].map((x) => uf.label(x))).toEqual([2, 2, 2]);
    expect([7, 8, 11].map((x) => uf.label(x))).toEqual([7, 7, 7]);
    expect(uf.label(100)).toBe(100);
    expect(uf.stats()).toEqual({ components: 2, largest: 3 });
  });

  it("handles a long chain", () => {
    const uf = new UnionFind();
    for (let i = 100_000; i > 0; i--) uf.union(i, i - 1);
    expect(uf.label(100_000)).toBe(0);
    expect(uf.stats()).toEqual({ components: 1, largest: 100_001 });
  });
});
