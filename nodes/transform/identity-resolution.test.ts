import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import identity from "./identity-resolution.node.ts";

let h: Harness;

beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

const profileId = (member: string) => `p_${createHash("sha256").update(member).digest("hex").slice(0, 16)}`;

async function table(sql: string): Promise<DatasetRef> {
  return h.ctx("setup").datasets.create(sql);
}

async function rowsOf(ref: DatasetRef): Promise<Record<string, unknown>[]> {
  const ds = h.ctx("q").datasets;
  return ds.query(`SELECT * FROM ${ds.from(ref)}`);
}

async function run(config: Record<string, unknown>, a: DatasetRef, b?: DatasetRef) {
  const res = await h.run(identity, config, { a, ...(b ? { b } : {}) });
  const records = res.outputs.records as DatasetRef;
  const profiles = res.outputs.profiles as DatasetRef;
  const pairs = res.outputs.pairs as DatasetRef;
  return {
    records,
    profiles,
    pairs,
    recordRows: await rowsOf(records),
    profileRows: await rowsOf(profiles),
    pairRows: await rowsOf(pairs),
    metrics: res.metrics as Record<string, unknown>,
  };
}

// Records 1-2 share an e-mail, 2-3 a phone: one person by transitivity, though 1 and 3 share nothing.
const CONTACTS = `SELECT * FROM (VALUES
  (1, 'ann@example.com', '555-0101', 'Ann Lee',  'Paris', '2021-01-01'),
  (2, 'ann@example.com', '555-0199', 'Ann Lee',  NULL,    '2024-05-01'),
  (3, 'ann.lee@work.com', '555-0199', 'Anne Lee', 'Lyon',  '2023-01-01'),
  (4, 'bo@example.com',  '555-0404', 'Bo Chan',  'Nice',  NULL),
  (5, NULL,              NULL,       'Cy Park',  NULL,    NULL)
) t(id, email, phone, name, city, updated)`;

const CONTACT_CONFIG = {
  idColumn: "id",
  blocking: [{ keys: [{ column: "email" }] }, { keys: [{ column: "phone" }] }],
  comparisons: [
    { column: "email", method: "exact" },
    { column: "phone", method: "exact" },
  ],
  threshold: 0.5,
};

describe("transform.identity-resolution", () => {
  it("links within one input, clusters transitively, and gives stable profile ids", async () => {
    const contacts = await table(CONTACTS);
    const r = await run(CONTACT_CONFIG, contacts);
    expect(r.records.columns.slice(0, 3).map((c) => c.name)).toEqual(["profile_id", "source", "record_id"]);
    expect(r.records.columns.slice(3)).toEqual(contacts.columns);
    const ann = profileId("a:1");
    expect(r.recordRows.map((x) => [x.record_id, x.source, x.profile_id])).toEqual([
      ["1", "a", ann],
      ["2", "a", ann],
      ["3", "a", ann],
      ["4", "a", profileId("a:4")],
      ["5", "a", profileId("a:5")],
    ]);
    expect(r.pairRows).toEqual([
      { profile_id: ann, left_source: "a", left_id: "1", right_source: "a", right_id: "2", score: 0.5, sim_email: 1, sim_phone: 0 },
      { profile_id: ann, left_source: "a", left_id: "2", right_source: "a", right_id: "3", score: 0.5, sim_email: 0, sim_phone: 1 },
    ]);
    expect(r.metrics).toEqual({
      recordsA: 5,
      candidatePairs: 2,
      matchedPairs: 2,
      clusters: 1,
      largestProfile: 3,
      profiles: 3,
      candidatesByPass: { "1. email": 1, "2. phone": 1 },
    });
    // Default survivorship: every column, first non-empty value (in input order).
    expect(r.profileRows[0]).toEqual({
      profile_id: ann,
      record_count: 3,
      record_ids: ["a:1", "a:2", "a:3"],
      id: 1,
      email: "ann@example.com",
      phone: "555-0101",
      name: "Ann Lee",
      city: "Paris",
      updated: "2021-01-01",
    });
    expect(r.profileRows.map((p) => p.profile_id)).toEqual([ann, profileId("a:4"), profileId("a:5")]);

    // The same records in another order get the same profile ids.
    const shuffled = await table(`SELECT * FROM (${CONTACTS}) ORDER BY id DESC`);
    const again = await run(CONTACT_CONFIG, shuffled);
    const byId = (rows: Record<string, unknown>[]) => Object.fromEntries(rows.map((x) => [x.record_id, x.profile_id]));
    expect(byId(again.recordRows)).toEqual(byId(r.recordRows));
  });

  it("a higher threshold keeps the pairs apart", async () => {
    const r = await run({ ...CONTACT_CONFIG, threshold: 0.6 }, await table(CONTACTS));
    expect(r.metrics).toMatchObject({ candidatePairs: 2, matchedPairs: 0, clusters: 0, profiles: 5, largestProfile: 1 });
    expect(r.pairRows).toEqual([]);
    expect(new Set(r.recordRows.map((x) => x.profile_id)).size).toBe(5);
  });

  it("builds golden records by most recent, most frequent and first non-empty value", async () => {
    const r = await run(
      {
        ...CONTACT_CONFIG,
        survivorship: [
          { column: "name", rule: "mostFrequent" },
          { column: "city", rule: "mostRecent", dateColumn: "updated" },
          { column: "city", rule: "firstNonNull", outputName: "first_city" },
          { column: "email", rule: "mostRecent", dateColumn: "updated", outputName: "latest_email" },
        ],
      },
      await table(CONTACTS),
    );
    expect(r.profiles.columns.map((c) => c.name)).toEqual(["profile_id", "record_count", "record_ids", "name", "city", "first_city", "latest_email"]);
    expect(r.profileRows).toEqual([
      // city: record 2 is the latest but has none, so record 3's (2023) wins over record 1's (2021).
      { profile_id: profileId("a:1"), record_count: 3, record_ids: ["a:1", "a:2", "a:3"], name: "Ann Lee", city: "Lyon", first_city: "Paris", latest_email: "ann@example.com" },
      // No dates at all: the first value.
      { profile_id: profileId("a:4"), record_count: 1, record_ids: ["a:4"], name: "Bo Chan", city: "Nice", first_city: "Nice", latest_email: "bo@example.com" },
      { profile_id: profileId("a:5"), record_count: 1, record_ids: ["a:5"], name: "Cy Park", city: null, first_city: null, latest_email: null },
    ]);
  });

  it("gives empty outputs for an empty input", async () => {
    const r = await run(CONTACT_CONFIG, await table(`SELECT * FROM (${CONTACTS}) WHERE false`));
    expect([r.records.rows, r.profiles.rows, r.pairs.rows]).toEqual([0, 0, 0]);
    expect(r.metrics).toMatchObject({ candidatePairs: 0, matchedPairs: 0, clusters: 0, profiles: 0, largestProfile: 0 });
  });

  it("breaks a most-frequent tie by the earlier record", async () => {
    const t = await table(`SELECT * FROM (VALUES (1, 'k', 'Lee'), (2, 'k', 'Li'), (3, 'k', 'Li'), (4, 'k', 'Lee')) t(id, key, surname)`);
    const r = await run(
      { idColumn: "id", blocking: [{ keys: [{ column: "key" }] }], comparisons: [{ column: "key", method: "exact" }], survivorship: [{ column: "surname", rule: "mostFrequent" }] },
      t,
    );
    expect(r.profileRows).toEqual([{ profile_id: profileId("a:1"), record_count: 4, record_ids: ["a:1", "a:2", "a:3", "a:4"], surname: "Lee" }]);
  });

  describe("two inputs", () => {
    let crm: DatasetRef;
    let shop: DatasetRef;
    beforeAll(async () => {
      crm = await table(`SELECT * FROM (VALUES
        ('c1', 'Maria', 'Garcia', '19850214', '28013'),
        ('c2', 'Mario', 'Garcia', '19870315', '28013'),
        ('c3', 'Tom', 'Baker', '19700101', '10001'),
        ('c4', 'Jon', 'Smith', '19600606', '90210'),
        ('c5', 'John', 'Smith', '1960-06-06', '90210')
      ) t(cid, first_name, last_name, dob, zip)`);
      shop = await table(`SELECT * FROM (VALUES
        (100, 'maria', 'garcía', DATE '1985-02-14', '28013', 'gold'),
        (101, 'Thomas', 'Baker', DATE '1970-01-01', '10001', 'silver'),
        (102, 'Jane', 'Smith', DATE '1961-07-07', '90210', 'bronze')
      ) t(customer_no, first, last_name, birth_date, zip, tier)`);
    });
    const config = {
      idColumn: "cid",
      idColumnB: "customer_no",
      blocking: [{ keys: [{ column: "zip" }] }],
      comparisons: [
        { column: "first_name", columnB: "first", method: "jaro_winkler" },
        { column: "last_name", method: "jaro_winkler" },
        { column: "dob", columnB: "birth_date", method: "date", weight: 2 },
      ],
      threshold: 0.8,
      survivorship: [
        { column: "first_name", columnB: "first" },
        { column: "tier" },
      ],
    };

    it("links A to B across differently named columns, dates as text and as DATE", async () => {
      const r = await run(config, crm, shop);
      expect(r.records.rows).toBe(8);
      expect(r.records.columns.map((c) => c.name)).toEqual(["profile_id", "source", "record_id", "cid", "first_name", "last_name", "dob", "zip", "customer_no", "first", "birth_date", "tier"]);
      const pid = (id: string) => r.recordRows.find((x) => x.record_id === id)!.profile_id;
      expect(pid("100")).toBe(pid("c1"));
      expect(pid("101")).toBe(pid("c3"));
      expect(pid("102")).not.toBe(pid("c4"));
      // c4 and c5 are both in input A: without linkWithin they are never compared.
      expect(pid("c4")).not.toBe(pid("c5"));
      expect(r.pairRows.map((p) => [p.left_source, p.left_id, p.right_source, p.right_id])).toEqual([
        ["a", "c1", "b", "100"],
        ["a", "c3", "b", "101"],
      ]);
      // zip 28013: 2 × 1, 10001: 1 × 1, 90210: 2 × 1.
      expect(r.metrics).toMatchObject({ recordsA: 5, recordsB: 3, candidatePairs: 5, matchedPairs: 2, clusters: 2, profiles: 6 });
      const maria = r.profileRows.find((p) => (p.record_ids as string[]).includes("b:100"))!;
      expect(maria).toMatchObject({ first_name: "Maria", tier: "gold" });
      expect(maria.profile_id).toBe(profileId("a:c1"));
      const c1pair = r.pairRows.find((p) => p.left_id === "c1")!;
      expect(c1pair.sim_dob).toBe(1);
      expect(c1pair.sim_last_name).toBeGreaterThan(0.8);
    });

    it("links within each input too with linkWithin", async () => {
      const within = await run({ ...config, linkWithin: true }, crm, shop);
      expect(within.pairRows.map((p) => [p.left_source, p.left_id, p.right_source, p.right_id])).toEqual([
        ["a", "c1", "b", "100"],
        ["a", "c3", "b", "101"],
        ["a", "c4", "a", "c5"],
      ]);
      // Every pair of the 8 records sharing a zip: 28013: 3, 10001: 1, 90210: 3.
      expect(within.metrics).toMatchObject({ candidatePairs: 7, matchedPairs: 3, clusters: 3, profiles: 5 });
    });

    it("names a column missing in input B", async () => {
      const bad = await failure(run({ ...config, comparisons: [{ column: "first_name", columnB: "given" }] }, crm, shop));
      expect(bad).toBeInstanceOf(ConfigError);
      expect(bad.where).toBe("comparisons.0.columnB");
      expect(bad.message).toContain('"given"');
      const noId = await failure(run({ ...config, idColumnB: undefined }, crm, shop));
      expect(noId.where).toBe("idColumn");
    });
  });

  it("refuses unknown columns, repeated ids, reserved names and blocking that compares too many pairs", async () => {
    const contacts = await table(CONTACTS);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...CONTACT_CONFIG, idColumn: "nope" }, "idColumn"],
      [{ ...CONTACT_CONFIG, blocking: [{ keys: [{ column: "nope" }] }] }, "blocking.0.keys.0.column"],
      [{ ...CONTACT_CONFIG, comparisons: [{ column: "email" }, { column: "nope" }] }, "comparisons.1.column"],
      [{ ...CONTACT_CONFIG, survivorship: [{ column: "nope" }] }, "survivorship.0.column"],
      [{ ...CONTACT_CONFIG, survivorship: [{ column: "city", rule: "mostRecent" }] }, "survivorship.0.dateColumn"],
      [{ ...CONTACT_CONFIG, survivorship: [{ column: "city" }, { column: "name", outputName: "city" }] }, "survivorship.1.outputName"],
      [{ ...CONTACT_CONFIG, blocking: [] }, "blocking"],
    ];
    for (const [config, where] of cases) {
      const bad = await failure(run(config, contacts));
      expect(bad, where).toBeInstanceOf(ConfigError);
      expect(bad.where).toBe(where);
    }
    const dup = await failure(run(CONTACT_CONFIG, await table(`SELECT * FROM (${CONTACTS}) UNION ALL SELECT 1, 'x@y.z', '0', 'X', NULL, NULL`)));
    expect(dup).toBeInstanceOf(DataError);
    expect(dup.message).toContain('"1"');
    const reserved = await failure(run(CONTACT_CONFIG, await table(`SELECT *, 'crm' AS source FROM (${CONTACTS})`)));
    expect(reserved).toBeInstanceOf(ConfigError);
    expect(reserved.message).toContain('"source"');
    // email: 1 pair, year(updated): none, first letter of name: 3 (the three A... names): 4 over a limit of 2.
    const guard = await failure(
      run({ ...CONTACT_CONFIG, blocking: [{ keys: [{ column: "email" }] }, { keys: [{ column: "updated", transform: "year" }] }, { keys: [{ column: "name", transform: "prefix", length: 1 }] }], maxCandidatePairs: 2 }, contacts),
    );
    expect(guard).toBeInstanceOf(ConfigError);
    expect(guard.where).toBe("blocking.2.keys");
    expect(guard.message).toContain("3. prefix1(name) alone gives 3");
  });
});

describe("transform.identity-resolution on Febrl 4 (5,000 + 5,000 synthetic people, 5,000 true links)", () => {
  // The settings a user would choose for person records: no use of rec_id beyond naming the record.
  const FEBRL = {
    idColumn: "rec_id",
    blocking: [
      { keys: [{ column: "postcode" }] },
      { keys: [{ column: "surname", transform: "soundex" }, { column: "given_name", transform: "soundex" }] },
      { keys: [{ column: "date_of_birth" }] },
      { keys: [{ column: "soc_sec_id" }] },
    ],
    comparisons: [
      { column: "given_name", method: "jaro_winkler", weight: 1 },
      { column: "surname", method: "jaro_winkler", weight: 1 },
      { column: "street_number", method: "exact", weight: 0.5 },
      { column: "address_1", method: "jaro_winkler", weight: 1 },
      { column: "address_2", method: "jaro_winkler", weight: 0.5 },
      { column: "suburb", method: "jaro_winkler", weight: 1 },
      { column: "postcode", method: "postcode", weight: 1 },
      { column: "state", method: "exact", weight: 0.5 },
      { column: "date_of_birth", method: "date", weight: 1.5 },
      { column: "soc_sec_id", method: "levenshtein", weight: 1.5 },
    ],
    threshold: 0.7,
    survivorship: [
      { column: "given_name", rule: "firstNonNull" },
      { column: "surname", rule: "firstNonNull" },
      { column: "postcode", rule: "mostFrequent" },
    ],
  };

  it("links febrl-dataset4a to febrl-dataset4b with precision and recall of at least 0.95", async () => {
    const read = async (name: string) => (await h.run(csvFile, { path: datasetFile(name) })).outputs.rows as DatasetRef;
    const a = await read("febrl-dataset4a.csv");
    const b = await read("febrl-dataset4b.csv");
    expect([a.rows, b.rows]).toEqual([5000, 5000]);

    const started = Date.now();
    const r = await run(FEBRL, a, b);
    const seconds = (Date.now() - started) / 1000;

    const num = (id: unknown) => /^rec-(\d+)-/.exec(String(id))![1];
    const found = r.pairRows.length;
    const truePositives = r.pairRows.filter((p) => p.left_source === "a" && p.right_source === "b" && num(p.left_id) === num(p.right_id)).length;
    const precision = truePositives / found;
    const recall = truePositives / 5000;
    const f1 = (2 * precision * recall) / (precision + recall);
    console.log(
      `Febrl 4 linkage: ${r.metrics.candidatePairs} candidate pairs, ${found} matched, ${truePositives} true; ` +
        `precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)} (${seconds.toFixed(1)} s)`,
    );
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.95);

    expect(r.records.rows).toBe(10_000);
    expect(r.metrics.matchedPairs).toBe(found);
    expect(r.metrics.profiles).toBe(r.profiles.rows);
    // Every matched pair is its own two-record cluster here: 10,000 records make 10,000 - found profiles.
    expect(r.metrics.clusters).toBe(found);
    expect(r.profiles.rows).toBe(10_000 - found);
    // A golden record of a linked pair: the original's values first, as input A comes first.
    const linked = r.profileRows.find((p) => p.record_count === 2)!;
    expect((linked.record_ids as string[])[0]).toMatch(/^a:rec-\d+-org$/);
    expect((linked.record_ids as string[])[1]).toMatch(/^b:rec-\d+-dup-0$/);
  });
});
