import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import standardise from "./standardise.node.ts";

let h: Harness;
let contacts: DatasetRef;

// Made-up contacts: UK, US and German numbers written the many ways people write them.
const CONTACTS = `SELECT * FROM (VALUES
  (1,  '  jane   DOE ',  '  Jane.Doe@Example.COM ', '020 7946 0958',        '(415) 555-2671',     '030 1234567',      447911123456::BIGINT, '15/03/2024',          'London'),
  (2,  'o''brien-smith', 'bob@example',             '+1 (415) 555-2671',    '415.555.2671',       '0151-23456789',    NULL,                 '2024-03-16',          'new york'),
  (3,  'ÉLODIE martin',  '',                        '07911 123456',         '+44 20 7946 0958',   '+1 212 736 5000',  2079460958::BIGINT,   'March 17, 2024',      '  '),
  (4,  NULL,             NULL,                      '0049 (0)30 1234567',   '011 49 30 1234567',  '+49 (0) 151 23456789', 12345::BIGINT,    '17.03.2024',          NULL),
  (5,  'x',              'not an email',            '12345',                '555-0100',           'kein Anschluss',   NULL,                 '31/02/2024',          'Berlin'),
  (6,  'y',              'carl@shop.de',            '+49 151 23456789',     NULL,                 NULL,               NULL,                 '  ',                  'berlin'),
  (7,  'z',              'dup@x.com',               '020 7946 0958',        NULL,                 NULL,               NULL,                 '2024/03/20',          'Paris'),
  (8,  'w',              ' ',                       'not a phone',          NULL,                 NULL,               NULL,                 NULL,                  'Paris'),
  (9,  'v',              'a@b.c',                   '',                     NULL,                 NULL,               NULL,                 '2024-03-15 10:30:00', 'Rome'),
  (10, 'u',              'EVE@MAIL.CO.UK',          '+44 (0) 7911 123456',  NULL,                 NULL,               NULL,                 '20240321',            'Rome')
) t(id, name, email, phone, phone_us, phone_de, phone_num, signup, city)`;

beforeAll(async () => {
  h = harness();
  contacts = await h.ctx("setup").datasets.create(CONTACTS);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, input: DatasetRef = contacts) {
  const res = await h.run(standardise, config, { rows: input });
  const out = res.outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  return { out, rows: await ds.query(`SELECT * FROM ${ds.from(out)}`), metrics: res.metrics as Record<string, any> };
}

const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);

describe("transform.standardise", () => {
  it("writes UK, US and German numbers as E.164, with each column's default country", async () => {
    const { out, rows, metrics } = await run({
      columns: [
        { column: "phone", operations: ["phone to E.164"], country: "GB" },
        { column: "phone_us", operations: ["phone to E.164"], country: "us" },
        { column: "phone_de", operations: ["phone to E.164"], country: "DE" },
        { column: "phone_num", operations: ["phone to E.164"], country: "UK" },
      ],
    });
    expect(rows.map((r) => r.phone)).toEqual([
      "+442079460958",
      "+14155552671",
      "+447911123456",
      "+49301234567",
      null, // 12345
      "+4915123456789",
      "+442079460958",
      null, // not a phone
      null, // empty: missing, not a failure
      "+447911123456",
    ]);
    expect(rows.slice(0, 5).map((r) => r.phone_us)).toEqual(["+14155552671", "+14155552671", "+442079460958", "+49301234567", null]);
    expect(rows.slice(0, 5).map((r) => r.phone_de)).toEqual(["+49301234567", "+4915123456789", "+12127365000", "+4915123456789", null]);
    expect(rows.slice(0, 5).map((r) => r.phone_num)).toEqual(["+447911123456", null, "+442079460958", null, null]);
    expect(out.columns.find((c) => c.name === "phone_num")!.type).toBe("VARCHAR");
    expect(out.columns.map((c) => c.name)).toEqual(contacts.columns.map((c) => c.name));
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(metrics.columns).toEqual({
      phone: { phonesNotRecognised: 2 },
      phone_us: { phonesNotRecognised: 1 },
      phone_de: { phonesNotRecognised: 1 },
      phone_num: { phonesNotRecognised: 1 },
    });
  });

  it("only reads +numbers when no country is given", async () => {
    const { rows } = await run({ columns: [{ column: "phone", operations: ["phone to E.164"] }] });
    expect(rows.map((r) => r.phone)).toEqual([null, "+14155552671", null, null, null, "+4915123456789", null, null, null, "+447911123456"]);
  });

  it("normalises e-mails, turns empties into nulls and flags the ones that are not addresses", async () => {
    const { out, rows, metrics } = await run({ columns: [{ column: "email", operations: ["normalise email"], flagInvalidEmails: true }] });
    const names = out.columns.map((c) => c.name);
    expect(names.slice(2, 4)).toEqual(["email", "email_invalid_email"]);
    expect(rows.map((r) => [r.email, r.email_invalid_email])).toEqual([
      ["jane.doe@example.com", false],
      ["bob@example", true],
      [null, false],
      [null, false],
      ["not an email", true],
      ["carl@shop.de", false],
      ["dup@x.com", false],
      [null, false],
      ["a@b.c", true],
      ["eve@mail.co.uk", false],
    ]);
    expect(metrics.columns.email).toEqual({ invalidEmails: 3 });
  });

  it("applies text operations in order", async () => {
    const { rows } = await run({
      columns: [
        { column: "name", operations: ["trim", "collapse spaces", "title case"] },
        { column: "city", operations: ["empty to null", "upper case"] },
      ],
    });
    expect(rows.slice(0, 5).map((r) => r.name)).toEqual(["Jane Doe", "O'brien-Smith", "Élodie Martin", null, "X"]);
    expect(rows.slice(0, 6).map((r) => r.city)).toEqual(["LONDON", "NEW YORK", null, null, "BERLIN", "BERLIN"]);
    const lower = await run({ columns: [{ column: "name", operations: ["lower case"] }] });
    expect(lower.rows[0]!.name).toBe("  jane   doe ");
    const collapse = await run({ columns: [{ column: "name", operations: ["collapse spaces"] }] });
    expect(collapse.rows[0]!.name).toBe(" jane DOE ");
  });

  it("reads dates in the given formats, in order, into ISO dates", async () => {
    const { out, rows, metrics } = await run({
      columns: [{ column: "signup", operations: ["date to ISO"], dateFormats: ["%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S"] }],
    });
    expect(out.columns.find((c) => c.name === "signup")!.type).toBe("DATE");
    expect(rows.map((r) => day(r.signup))).toEqual([
      "2024-03-15",
      "2024-03-16",
      "2024-03-17",
      "2024-03-17",
      null, // 31/02/2024 does not exist
      null, // blank
      "2024-03-20",
      null,
      "2024-03-15",
      "2024-03-21",
    ]);
    expect(metrics.columns.signup).toEqual({ datesNotRecognised: 1 });

    // The default formats are the unambiguous ones: 15/03/2024 is not guessed.
    const defaults = await run({ columns: [{ column: "signup", operations: ["date to ISO"] }] });
    expect(defaults.rows.map((r) => day(r.signup))).toEqual([null, "2024-03-16", "2024-03-17", "2024-03-17", null, null, "2024-03-20", null, "2024-03-15", "2024-03-21"]);
    expect(defaults.metrics.columns.signup).toEqual({ datesNotRecognised: 2 });
  });

  it("maps many distinct numbers once each, keeping every row and its order", async () => {
    // 30,000 rows, 25,000 distinct London numbers (020 7000 0000 ...), every sixth one repeated.
    const ds = h.ctx("setup").datasets;
    const many = await ds.create(
      `SELECT i AS id, '020 7' || lpad(CAST(CASE WHEN i % 6 = 5 THEN i - 1 ELSE i END - (i // 6) AS VARCHAR), 7, '0') AS phone FROM range(30000) r(i)`,
    );
    const { rows, metrics } = await run({ columns: [{ column: "phone", operations: ["phone to E.164"], country: "GB" }] }, many);
    expect(rows).toHaveLength(30000);
    const q = h.ctx("q").datasets;
    const original = await q.query<{ id: number; phone: string }>(`SELECT id, phone FROM ${q.from(many)}`);
    expect(new Set(original.map((r) => r.phone)).size).toBe(25000);
    expect(rows.map((r) => r.id)).toEqual(original.map((r) => r.id));
    const expected = original.map((r) => `+44${r.phone.replace(/ /g, "").slice(1)}`);
    expect(expected[0]).toBe("+442070000000");
    const wrong = rows.filter((r, i) => r.phone !== expected[i]);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(metrics.columns.phone).toEqual({ phonesNotRecognised: 0 });
  });

  it("names the field of each configuration problem", async () => {
    const unknown = await failure(run({ columns: [{ column: "name", operations: ["trim"] }, { column: "mobile", operations: ["trim"] }] }));
    expect(unknown).toBeInstanceOf(ConfigError);
    expect(unknown.where).toBe("columns.1.column");

    const country = await failure(run({ columns: [{ column: "phone", operations: ["phone to E.164"], country: "XX" }] }));
    expect(country.where).toBe("columns.0.country");

    const textOnNumber = await failure(run({ columns: [{ column: "id", operations: ["trim"] }] }));
    expect(textOnNumber.where).toBe("columns.0.operations.0");

    const afterDate = await failure(run({ columns: [{ column: "signup", operations: ["trim", "date to ISO", "upper case"] }] }));
    expect(afterDate.where).toBe("columns.0.operations.2");

    const twoKinds = await failure(run({ columns: [{ column: "email", operations: ["normalise email", "phone to E.164"] }] }));
    expect(twoKinds.where).toBe("columns.0.operations");

    const flagWithoutEmail = await failure(run({ columns: [{ column: "email", operations: ["trim"], flagInvalidEmails: true }] }));
    expect(flagWithoutEmail.where).toBe("columns.0.flagInvalidEmails");

    const badFormat = await failure(run({ columns: [{ column: "signup", operations: ["date to ISO"], dateFormats: ["%d/%m/%Y", "%Q"] }] }));
    expect(badFormat.where).toBe("columns.0.dateFormats.1");

    const twice = await failure(run({ columns: [{ column: "city", operations: ["trim"] }, { column: "city", operations: ["upper case"] }] }));
    expect(twice.where).toBe("columns.1.column");
  });
});
