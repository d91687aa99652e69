import { describe, expect, it } from "vitest";
import { z } from "zod";
import { column, uploadedFile } from "../../../../nodes/sdk/index.ts";
import { loadRegistry } from "../../../../nodes/registry.ts";
import { allFields, fieldsOf, humanise, type FieldDescriptor } from "./json-schema-form.ts";
import { defaultPlaceholder, describeBounds, formatValue, numberInputAttrs, parseNumberInput } from "./field-format.ts";
import { groupErrors } from "./group-errors.ts";
import { getAt, hasAt, setAt } from "./value-path.ts";

const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
const byKey = (fields: FieldDescriptor[]) => Object.fromEntries(fields.map((f) => [f.key, f]));

describe("humanise", () => {
  it("turns property names into labels", () => {
    expect(humanise("scoreColumn")).toBe("Score column");
    expect(humanise("fileId")).toBe("File");
    expect(humanise("fileIds")).toBe("Files");
    expect(humanise("hiddenLayers")).toBe("Hidden layers");
    expect(humanise("max_rows")).toBe("Max rows");
    expect(humanise("csvPath")).toBe("CSV path");
    expect(humanise("apiURL")).toBe("API URL");
    expect(humanise("layer2")).toBe("Layer 2");
    expect(humanise("id")).toBe("ID");
    expect(humanise("keys")).toBe("Keys");
  });
});

describe("fieldsOf with the real catalog", () => {
  it("turns every built-in node's config into fields, none unsupported", async () => {
    const registry = await loadRegistry();
    const catalog = registry.catalog();
    expect(catalog.length).toBeGreaterThanOrEqual(7);
    for (const entry of catalog) {
      const fields = fieldsOf(entry.configSchema);
      const props = Object.keys((entry.configSchema.properties ?? {}) as object);
      expect(fields.map((f) => f.key), entry.ref).toEqual(props);
      for (const f of allFields(fields)) {
        expect(f.kind, `${entry.ref} ${f.path}`).not.toBe("unsupported");
        expect(f.label, `${entry.ref} ${f.path}`).toMatch(/^[A-Z]/);
      }
    }
  });

  it("describes the training node", async () => {
    const entry = (await loadRegistry()).catalog().find((e) => e.type === "model.train-classifier")!;
    const f = byKey(fieldsOf(entry.configSchema));
    expect(f.target).toMatchObject({ kind: "string", required: true, hasDefault: false, label: "Target", widget: "column", minLength: 1 });
    expect(f.target!.description).toContain("Column to predict");
    expect(f.positiveLabel).toMatchObject({ kind: "string", required: false, label: "Positive label" });
    expect(f.features).toMatchObject({ kind: "stringList", widget: "column", required: false, hasDefault: true, default: [] });
    expect(f.testFraction).toMatchObject({ kind: "number", minimum: 0.05, maximum: 0.5, default: 0.2, label: "Test fraction" });
    expect(defaultPlaceholder(f.testFraction!)).toBe("Default: 0.2");
    // The seed takes NumPy's range, so it splits as scikit-learn does with that random_state.
    expect(f.seed).toMatchObject({ kind: "integer", default: 42, minimum: 0, maximum: 2 ** 32 - 1 });
    // Zod's ±MAX_SAFE_INTEGER bounds of an otherwise unbounded integer are noise.
    const segmentSeed = byKey(fieldsOf((await loadRegistry()).catalog().find((e) => e.type === "model.segment")!.configSchema)).seed!;
    expect(segmentSeed).toMatchObject({ kind: "integer", default: 42 });
    expect(segmentSeed.minimum).toBeUndefined();
    expect(segmentSeed.maximum).toBeUndefined();
    expect(f.hiddenLayers).toMatchObject({ kind: "numberList", minItems: 1, maxItems: 4, default: [8] });
    expect(f.hiddenLayers!.item).toMatchObject({ kind: "integer", minimum: 1, maximum: 256 });
    expect(f.learningRate).toMatchObject({ kind: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 });
    expect(describeBounds(f.learningRate!)).toBe("More than 0 and less than 1");
    expect(describeBounds(f.testFraction!)).toBe("Between 0.05 and 0.5");
  });

  it("describes the CSV, dedupe, score and write nodes", async () => {
    const catalog = (await loadRegistry()).catalog();
    const of = (type: string) => byKey(fieldsOf(catalog.find((e) => e.type === type)!.configSchema));
    const csv = of("source.csv-file");
    expect(csv.fileId).toMatchObject({ kind: "string", label: "File", widget: "file", required: false });
    expect(csv.header).toMatchObject({ kind: "boolean", default: true });
    expect(csv.quote).toMatchObject({ kind: "string", maxLength: 1 });
    const dedupe = of("transform.dedupe");
    expect(dedupe.keys).toMatchObject({ kind: "stringList", widget: "column", required: true, minItems: 1 });
    expect(dedupe.keep).toMatchObject({ kind: "enum", enumValues: ["first", "last"], default: "first" });
    expect(dedupe.orderBy).toMatchObject({ kind: "string", widget: "column", label: "Order by" });
    const email = of("action.send-email");
    expect(email.html).toMatchObject({ kind: "string", widget: "multiline", required: true });
    expect(email.subject!.widget).toBeUndefined();
    const score = of("model.score");
    expect(score.modelVersion).toMatchObject({ kind: "integer", minimum: 1, required: false, label: "Model version" });
    expect(score.scoreColumn).toMatchObject({ kind: "string", default: "score", label: "Score column" });
    const write = of("action.write-table");
    expect(write.table).toMatchObject({ kind: "string", required: true, pattern: "^[A-Za-z_][A-Za-z0-9_]*$" });
    expect(write.columns).toMatchObject({ kind: "stringList", required: false, widget: "column" });
    expect(fieldsOf(catalog.find((e) => e.type === "control.passthrough")!.configSchema)).toEqual([]);
  });
});

describe("fieldsOf with zod schemas", () => {
  const schema = schemaOf(
    z.object({
      name: z.string().meta({ title: "Campaign name" }).describe("Shown in reports."),
      nickname: z.string().nullable().optional(),
      tone: z.union([z.literal("warm"), z.literal("formal")]).default("warm"),
      channel: z.enum(["email", "sms"]).nullable(),
      budget: z.object({ amount: z.number().positive(), currency: z.string().default("EUR"), caps: z.object({ daily: z.number().int().optional() }).optional() }),
      variants: z.array(z.object({ subject: z.string(), weight: z.number().default(1) })).default([]),
      tags: z.array(z.enum(["a", "b"])),
      audience: column(z.string()),
      file: uploadedFile(z.string()).optional(),
      lookup: z.record(z.string(), z.number()),
      when: z.date(),
      either: z.string().or(z.number()),
      pair: z.tuple([z.string(), z.number()]),
      optedIn: z.boolean().nullish(),
      columnsList: z.array(column(z.string())).nullable(),
      weights: z.array(z.number()).optional(),
    }),
  );
  const fields = fieldsOf(schema);
  const f = byKey(fields);

  it("keeps schema order", () => {
    expect(fields.map((x) => x.key)).toEqual(Object.keys(schema.properties as object));
  });

  it("uses titles and descriptions", () => {
    expect(f.name).toMatchObject({ label: "Campaign name", description: "Shown in reports.", required: true, kind: "string" });
  });

  it("unwraps nullable unions and unions of constants", () => {
    expect(f.nickname).toMatchObject({ kind: "string", nullable: true, required: false });
    expect(f.tone).toMatchObject({ kind: "enum", enumValues: ["warm", "formal"], default: "warm", required: false });
    expect(f.channel).toMatchObject({ kind: "enum", enumValues: ["email", "sms"], nullable: true, required: true });
    expect(f.optedIn).toMatchObject({ kind: "boolean", nullable: true });
    expect(f.columnsList).toMatchObject({ kind: "stringList", nullable: true, widget: "column" });
  });

  it("describes nested objects with full paths", () => {
    expect(f.budget!.kind).toBe("object");
    const b = byKey(f.budget!.children!);
    expect(b.amount).toMatchObject({ path: "budget.amount", kind: "number", exclusiveMinimum: 0, required: true });
    expect(b.currency).toMatchObject({ path: "budget.currency", default: "EUR" });
    expect(b.caps).toMatchObject({ kind: "object", required: false });
    expect(b.caps!.children![0]).toMatchObject({ path: "budget.caps.daily", kind: "integer" });
  });

  it("describes lists of objects with item-relative paths", () => {
    expect(f.variants).toMatchObject({ kind: "objectList", default: [] });
    expect(f.variants!.children!.map((c) => c.path)).toEqual(["subject", "weight"]);
  });

  it("describes lists of scalars and widgets", () => {
    expect(f.tags).toMatchObject({ kind: "stringList", enumValues: ["a", "b"] });
    expect(f.weights).toMatchObject({ kind: "numberList" });
    expect(f.weights!.item!.kind).toBe("number");
    expect(f.audience).toMatchObject({ kind: "string", widget: "column" });
    expect(f.file).toMatchObject({ kind: "string", widget: "file" });
  });

  it("describes a connection field (a name) with the kinds it accepts", () => {
    // What nodes/sdk's connectionField(schema, kinds) puts on the property.
    const fields = byKey(
      fieldsOf(
        schemaOf(
          z.object({
            connection: z.string().min(1).optional().meta({ widget: "connection", connectionKinds: ["postgres", "sqlite"] }).describe("The database"),
            mail: z.string().meta({ widget: "connection", connectionKinds: "smtp" }),
          }),
        ),
      ),
    );
    expect(fields.connection).toMatchObject({ kind: "string", widget: "connection", connectionKinds: ["postgres", "sqlite"], label: "Connection", required: false, description: "The database" });
    // A malformed list of kinds is no list: the select then offers every connection.
    expect(fields.mail).toMatchObject({ kind: "string", widget: "connection", connectionKinds: [], required: true });
  });

  it("falls back to unsupported, with a reason, for what a form cannot edit", () => {
    for (const key of ["lookup", "when", "pair"]) {
      expect(f[key]!.kind, key).toBe("unsupported");
      expect(f[key]!.reason, key).toBeTruthy();
    }
  });

  it("edits text-or-number values (such as query parameters) as text, which the schema accepts", () => {
    expect(f.either!.kind).toBe("string");
  });

  it("follows $refs to registered schemas and stops at cycles", () => {
    const Address = z.object({ city: z.string() }).meta({ id: "Address" });
    const s = schemaOf(z.object({ home: Address, work: Address.optional() }));
    const g = byKey(fieldsOf(s));
    expect(g.home).toMatchObject({ kind: "object", required: true });
    expect(g.work!.children![0]).toMatchObject({ path: "work.city", kind: "string" });

    interface Node { name: string; next?: Node }
    const Tree: z.ZodType<Node> = z.object({ name: z.string(), get next() { return Tree.optional(); } });
    const t = fieldsOf(schemaOf(z.object({ tree: Tree })));
    expect(t[0]!.kind).toBe("object");
    // Recursion ends in a note rather than an endless form.
    expect(allFields(t).map((x) => [x.path, x.kind])).toEqual([["tree", "object"], ["tree.name", "string"], ["tree.next", "unsupported"]]);
    expect(allFields(t).at(-1)!.reason).toMatch(/refers to itself/);
  });

  it("marks reserved property names unsupported", () => {
    const s = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"},"constructor":{"type":"string"},"ok":{"type":"string"}}}');
    const g = fieldsOf(s);
    expect(g.map((x) => [x.key, x.kind])).toEqual([["__proto__", "unsupported"], ["constructor", "unsupported"], ["ok", "string"]]);
  });

  it("ignores non-object schemas", () => {
    expect(fieldsOf({})).toEqual([]);
    expect(fieldsOf({ type: "string" })).toEqual([]);
  });
});

describe("getAt / setAt", () => {
  it("reads own values only", () => {
    const v = { a: { b: [1, { c: "x" }] } };
    expect(getAt(v, "a.b.1.c")).toBe("x");
    expect(getAt(v, ["a", "b", "0"])).toBe(1);
    expect(getAt(v, "a.toString")).toBeUndefined();
    expect(getAt(v, "a.b.5")).toBeUndefined();
    expect(getAt(v, "__proto__")).toBeUndefined();
    expect(hasAt(v, "a.b")).toBe(true);
    expect(hasAt(v, "a.z")).toBe(false);
  });

  it("returns a new object and leaves the old one alone", () => {
    const v = { a: { b: 1 }, c: [1, 2] };
    const next = setAt(v, "a.b", 2);
    expect(next).toEqual({ a: { b: 2 }, c: [1, 2] });
    expect(v).toEqual({ a: { b: 1 }, c: [1, 2] });
    expect(next.c).toBe(v.c);
    expect(setAt(v, "c.1", 5)).toEqual({ a: { b: 1 }, c: [1, 5] });
    expect(setAt({}, "x.y", true)).toEqual({ x: { y: true } });
    expect(setAt({}, "list.0.name", "n")).toEqual({ list: [{ name: "n" }] });
  });

  it("removes the key for undefined and empty strings", () => {
    expect(setAt({ a: "x", b: 1 }, "a", "")).toEqual({ b: 1 });
    expect(setAt({ a: "x", b: 1 }, "b", undefined)).toEqual({ a: "x" });
    expect("a" in setAt({ a: "x" }, "a", "")).toBe(false);
    expect(setAt({ o: { a: 1, b: 2 } }, "o.a", undefined)).toEqual({ o: { b: 2 } });
    expect(setAt({ l: ["a", "b", "c"] }, "l.1", undefined)).toEqual({ l: ["a", "c"] });
    // Nothing to remove: same object, no intermediate objects created.
    const v = { a: 1 };
    expect(setAt(v, "x.y", "")).toBe(v);
  });

  it("keeps falsy values that are not empty", () => {
    expect(setAt({}, "n", 0)).toEqual({ n: 0 });
    expect(setAt({}, "b", false)).toEqual({ b: false });
    expect(setAt({}, "s", " ")).toEqual({ s: " " });
    expect(setAt({}, "l", [])).toEqual({ l: [] });
  });

  it("refuses prototype-polluting paths", () => {
    const v = { a: {} };
    expect(setAt(v, "__proto__.polluted", 1)).toBe(v);
    expect(setAt(v, "a.constructor.prototype.polluted", 1)).toBe(v);
    expect(setAt(v, ["prototype"], 1)).toBe(v);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(setAt(v, "", 1)).toBe(v);
  });

  it("keeps an own __proto__ key from JSON as data when copying", () => {
    const v = JSON.parse('{"__proto__":{"x":1},"a":1}');
    const next = setAt(v, "a", 2);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(next.a).toBe(2);
  });
});

describe("parseNumberInput", () => {
  it("parses numbers and empty input", () => {
    expect(parseNumberInput("", false)).toBeUndefined();
    expect(parseNumberInput("  ", true)).toBeUndefined();
    expect(parseNumberInput("0.2", false)).toBe(0.2);
    expect(parseNumberInput(".5", false)).toBe(0.5);
    expect(parseNumberInput("-3", true)).toBe(-3);
    expect(parseNumberInput("1e3", true)).toBe(1000);
    expect(parseNumberInput("-0", true)).toBe(0);
  });

  it("gives errors instead of NaN", () => {
    expect(parseNumberInput("abc", false)).toEqual({ error: "Enter a number" });
    expect(parseNumberInput("1.5", true)).toEqual({ error: "Enter a whole number" });
    expect(parseNumberInput("12abc", true)).toEqual({ error: "Enter a whole number" });
    expect(parseNumberInput("0,2", false)).toEqual({ error: "Use a dot for decimals, e.g. 0.2" });
    expect(parseNumberInput("1e999", false)).toEqual({ error: "This number is too large" });
    expect(parseNumberInput("NaN", false)).toHaveProperty("error");
    expect(parseNumberInput("Infinity", false)).toHaveProperty("error");
  });

  it("checks bounds when given", () => {
    expect(parseNumberInput("0.01", false, { minimum: 0.05, maximum: 0.5 })).toEqual({ error: "Must be at least 0.05" });
    expect(parseNumberInput("0.6", false, { minimum: 0.05, maximum: 0.5 })).toEqual({ error: "Must be at most 0.5" });
    expect(parseNumberInput("0", false, { exclusiveMinimum: 0 })).toEqual({ error: "Must be more than 0" });
    expect(parseNumberInput("1", false, { exclusiveMaximum: 1 })).toEqual({ error: "Must be less than 1" });
    expect(parseNumberInput("0.5", false, { exclusiveMinimum: 0, exclusiveMaximum: 1 })).toBe(0.5);
  });

  it("gives number input attributes", () => {
    expect(numberInputAttrs({ kind: "number", minimum: 0.05, maximum: 0.5 })).toEqual({ min: 0.05, max: 0.5, step: "any" });
    expect(numberInputAttrs({ kind: "integer", exclusiveMinimum: 0 })).toEqual({ min: 1, step: 1 });
    expect(numberInputAttrs({ kind: "number", exclusiveMinimum: 0 })).toEqual({ step: "any" });
  });
});

describe("display helpers", () => {
  it("formats values and defaults", () => {
    expect(formatValue(true)).toBe("on");
    expect(formatValue([8, 16])).toBe("8, 16");
    expect(formatValue([])).toBe("none");
    expect(defaultPlaceholder({ hasDefault: true, default: 0.2 })).toBe("Default: 0.2");
    expect(defaultPlaceholder({ hasDefault: false })).toBeUndefined();
  });
});

describe("groupErrors", () => {
  const fields = fieldsOf(
    schemaOf(
      z.object({
        keys: z.array(z.string()).min(1),
        target: z.string(),
        budget: z.object({ amount: z.number() }),
        variants: z.array(z.object({ subject: z.string() })).default([]),
      }),
    ),
  );

  it("assigns problems to the deepest field and leaves the rest for the top", () => {
    const value = { variants: [{ subject: "a" }, {}] };
    const g = groupErrors(fields, value, {
      "": ["Give either a path or an uploaded file"],
      keys: ["Too small"],
      "keys.0": ["Not a column"],
      target: ["Required"],
      "budget.amount": ["Required"],
      budget: ["Bad budget"],
      "variants.1.subject": ["Required"],
      "variants.1": ["Bad item"],
      "variants.7.subject": ["Gone"],
      mystery: ["Unknown setting"],
      empty: [],
    });
    expect(g.byField).toEqual({
      keys: ["Too small", "Not a column"],
      target: ["Required"],
      "budget.amount": ["Required"],
      budget: ["Bad budget"],
      "variants.1.subject": ["Required"],
      variants: ["Bad item", "Gone"],
    });
    expect(g.general).toEqual([
      { path: "", where: "", message: "Give either a path or an uploaded file" },
      { path: "mystery", where: "Mystery", message: "Unknown setting" },
    ]);
  });

  it("copes with no errors", () => {
    expect(groupErrors(fields, {}, undefined)).toEqual({ byField: {}, general: [] });
    expect(groupErrors(fields, {}, {})).toEqual({ byField: {}, general: [] });
  });
});
