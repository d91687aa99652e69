import { describe, expect, it } from "vitest";
import { checkPlanSchema } from "../../../server/ingest/plan-check";
import { changeType, DATE_TIME_PATTERN, diffSchemas, emptyRow, formProblems, isDiffEmpty, modelFromSchema, schemaFromModel, summarise, type FormModel, type PropRow } from "./schema-form";

const row = (over: Partial<PropRow>): PropRow => ({ ...emptyRow(), ...over });
const model = (rows: PropRow[], over: Partial<FormModel> = {}): FormModel => ({ rows, onlyListed: false, other: {}, ...over });

describe("tracking plan form → JSON Schema", () => {
  const form = model([
    row({ name: "plan", type: "text", required: true, allowed: "free, pro ,team", pattern: "" }),
    row({ name: "code", type: "text", pattern: "^[A-Z]+$" }),
    row({ name: "price", type: "number", required: true, minimum: "0", maximum: "9999.5" }),
    row({ name: "seats", type: "integer", minimum: "1" }),
    row({ name: "trial", type: "boolean" }),
    row({ name: "startedAt", type: "datetime", required: true }),
    // Rules of another type are dropped: ajv's strict mode would refuse a pattern on a number.
    row({ name: "n", type: "number", pattern: "x", allowed: "a" }),
  ]);

  it("builds properties and required, with only the rules that fit each type", () => {
    expect(formProblems(form)).toEqual([]);
    expect(schemaFromModel(form)).toEqual({
      type: "object",
      properties: {
        plan: { type: "string", enum: ["free", "pro", "team"] },
        code: { type: "string", pattern: "^[A-Z]+$" },
        price: { type: "number", minimum: 0, maximum: 9999.5 },
        seats: { type: "integer", minimum: 1 },
        trial: { type: "boolean" },
        startedAt: { type: "string", pattern: DATE_TIME_PATTERN },
        n: { type: "number" },
      },
      required: ["plan", "price", "startedAt"],
    });
  });

  it("gives schemas that ajv compiles in strict mode, and the date pattern takes ISO 8601", () => {
    expect(() => checkPlanSchema(schemaFromModel(form))).not.toThrow();
    expect(() => checkPlanSchema(schemaFromModel(model([row({ name: "a" })], { onlyListed: true })))).not.toThrow();
    const re = new RegExp(DATE_TIME_PATTERN, "u");
    for (const ok of ["2024-05-01", "2024-05-01T10:20:30Z", "2024-05-01T10:20:30.123+02:00", "2024-05-01T10:20"]) expect(re.test(ok), ok).toBe(true);
    for (const bad of ["yesterday", "01/05/2024", "2024-05-01Tnoon"]) expect(re.test(bad), bad).toBe(false);
  });

  it("says what is wrong before saving", () => {
    expect(
      formProblems(
        model([
          row({ name: "" }),
          row({ name: "a" }),
          row({ name: "a", type: "number", minimum: "ten" }),
          row({ name: "b", type: "integer", minimum: "5", maximum: "1" }),
          row({ name: "c", type: "text", pattern: "(" }),
        ]),
      ),
    ).toEqual([
      "Row 1: give the property a name.",
      "“a”: the name is used twice.",
      "“a”: the minimum must be a number.",
      "“b”: the minimum is above the maximum.",
      "“c”: the pattern is not a valid regular expression.",
    ]);
  });
});

describe("JSON Schema → form and back", () => {
  it("reads what the form writes, unchanged", () => {
    const schema = {
      type: "object",
      properties: { plan: { type: "string", enum: ["free", "pro"] }, at: { type: "string", pattern: DATE_TIME_PATTERN }, n: { type: "integer", maximum: 3 }, ok: { type: "boolean" } },
      required: ["plan", "at"],
      additionalProperties: false,
    };
    const m = modelFromSchema(schema);
    expect(m.rows.map((r) => [r.name, r.type, r.required])).toEqual([
      ["plan", "text", true],
      ["at", "datetime", true],
      ["n", "integer", false],
      ["ok", "boolean", false],
    ]);
    expect(m.rows[0]!.allowed).toBe("free, pro");
    expect(m.onlyListed).toBe(true);
    expect(schemaFromModel(m)).toEqual(schema);
  });

  it("keeps keywords it does not know, per property and for the entry", () => {
    const schema = {
      type: "object",
      title: "Order",
      properties: {
        name: { type: "string", minLength: 2, description: "who" },
        tags: { type: "array", items: { type: "string" } },
        any: true,
        odd: { type: "string", enum: ["a,b", "c"] },
      },
      required: ["name", "ghost"],
    };
    const m = modelFromSchema(schema);
    expect(m.rows[0]).toMatchObject({ type: "text", other: { minLength: 2, description: "who" } });
    expect(m.rows[1]).toMatchObject({ type: "other", other: { type: "array", items: { type: "string" } } });
    expect(m.rows[2]).toMatchObject({ type: "other", raw: true });
    expect(m.rows[3]).toMatchObject({ type: "text", allowed: "", other: { enum: ["a,b", "c"] } });
    expect(m.other).toEqual({ title: "Order", required: ["ghost"] });
    expect(schemaFromModel(m)).toEqual(schema);
  });

  it("turns an other row into a typed one keeping its rules", () => {
    const r = modelFromSchema({ type: "object", properties: { x: { type: "array", description: "d" } } }).rows[0]!;
    expect(changeType(r, "text")).toMatchObject({ type: "text", other: { description: "d" } });
  });

  it("summarises an entry for the list", () => {
    expect(summarise({ type: "object", properties: { a: { type: "string" }, b: { type: "number" } }, required: ["b"] })).toEqual({ count: 2, required: ["b"] });
    expect(summarise({})).toEqual({ count: 0, required: [] });
  });
});

describe("what changed between versions", () => {
  const v1 = { type: "object", properties: { plan: { type: "string" }, price: { type: "number" }, old: { type: "boolean" } }, required: ["plan"] };
  const v2 = {
    type: "object",
    properties: { plan: { type: "string", enum: ["free", "pro"] }, price: { type: "number" }, seats: { type: "integer" } },
    required: ["plan", "price"],
    additionalProperties: false,
  };

  it("lists properties added, removed and changed, in words", () => {
    const d = diffSchemas(v1, v2);
    expect(d.added).toEqual([{ name: "seats", now: "Whole number" }]);
    expect(d.removed).toEqual([{ name: "old", was: "Yes/No" }]);
    expect(d.changed).toEqual([
      { name: "plan", was: "Text, required", now: "Text, required, one of: free, pro" },
      { name: "price", was: "Number", now: "Number, required" },
    ]);
    expect(d.entry).toEqual(["Properties not listed are now refused"]);
  });

  it("treats the first version as all added, and equal schemas as no change", () => {
    const first = diffSchemas(null, v1);
    expect(first.added.map((a) => a.name)).toEqual(["plan", "price", "old"]);
    expect(first.entry).toEqual([]);
    expect(isDiffEmpty(diffSchemas(v1, JSON.parse(JSON.stringify(v1))))).toBe(true);
  });
});
