// The "Advanced" hint on every built-in node: never on a required setting (it would hide what must
// be filled in), only on top-level settings (the form reads no other), and on the knobs a marketer
// leaves alone. Descriptions and help name no internal node types.
import { describe, expect, it } from "vitest";
import { loadRegistry } from "./registry";

type Schema = Record<string, unknown>;
const props = (s: Schema) => (s.properties ?? {}) as Record<string, Schema>;
const required = (s: Schema) => (Array.isArray(s.required) ? (s.required as string[]) : []);

/** Every schema below a property (items, nested objects, unions), with where it is. */
function nested(s: Schema, at: string, out: { at: string; schema: Schema }[] = []): { at: string; schema: Schema }[] {
  for (const [k, v] of Object.entries(props(s))) {
    out.push({ at: `${at}.${k}`, schema: v });
    nested(v, `${at}.${k}`, out);
  }
  for (const key of ["items", "anyOf", "oneOf", "allOf"] as const) {
    const v = s[key];
    for (const [i, x] of (Array.isArray(v) ? v : v && typeof v === "object" ? [v] : []).entries()) nested(x as Schema, `${at}[${key}${i}]`, out);
  }
  return out;
}

// Settings that are tuning or plumbing wherever they appear: each must be advanced.
const ALWAYS_ADVANCED = new Set([
  "seed", "salt", "retries", "maxAttempts", "backoffMs", "timeoutSeconds", "batchSize", "concurrency", "learningRate", "momentum", "iterations",
  "regularisation", "encoding", "delimiter", "quote", "escape", "maxCandidatePairs", "cohortSeconds", "cohortSize", "patience", "alpha",
]);

describe("advanced settings of the built-in nodes", async () => {
  const catalog = (await loadRegistry()).catalog();

  it("never marks a required setting advanced", () => {
    for (const entry of catalog) {
      for (const key of required(entry.configSchema)) {
        expect(props(entry.configSchema)[key]?.advanced, `${entry.ref} ${key} is required, so it must not be advanced`).toBeUndefined();
      }
      // Nested objects and list items have required keys of their own: none of those either.
      for (const { at, schema } of nested(entry.configSchema, "")) {
        for (const key of required(schema)) expect(props(schema)[key]?.advanced, `${entry.ref} ${at}.${key}`).toBeUndefined();
      }
    }
  });

  it("marks only top-level settings, the ones the form puts in its Advanced section", () => {
    for (const entry of catalog) {
      const top = new Set(Object.values(props(entry.configSchema)));
      for (const { at, schema } of nested(entry.configSchema, "")) {
        if (!top.has(schema)) expect(schema.advanced, `${entry.ref} ${at}`).toBeUndefined();
      }
    }
  });

  it("puts seeds, retries, timeouts, batch sizes and other tuning knobs under Advanced on every node", () => {
    let seen = 0;
    for (const entry of catalog) {
      for (const [key, schema] of Object.entries(props(entry.configSchema))) {
        if (!ALWAYS_ADVANCED.has(key)) continue;
        seen++;
        expect(schema.advanced, `${entry.ref} ${key}`).toBe(true);
      }
    }
    // seed alone is on five nodes; the list must have met real settings.
    expect(seen).toBeGreaterThanOrEqual(25);
  });

  it("Train classifier shows what to predict and from what, and keeps its 14 tuning knobs under Advanced", () => {
    const train = catalog.find((e) => e.ref === "model.train-classifier@1")!;
    const advanced = Object.entries(props(train.configSchema)).filter(([, s]) => s.advanced === true).map(([k]) => k);
    expect(advanced).toEqual([
      "algorithm", "testFraction", "seed", "folds", "maxCategories", "textVocabulary", "textMode", "regularisation", "hiddenLayers", "iterations",
      "learningRate", "momentum", "validationFraction", "patience",
    ]);
    const plain = Object.keys(props(train.configSchema)).filter((k) => !advanced.includes(k));
    expect(plain).toEqual(["target", "positiveLabel", "features", "exclude", "textColumns", "modelName"]);
  });

  it("names no internal node type in a node's description or a setting's help", () => {
    const types = catalog.map((e) => e.type);
    for (const entry of catalog) {
      const texts = [entry.description, ...nested(entry.configSchema, "").map(({ schema }) => schema.description).filter((d): d is string => typeof d === "string")];
      for (const text of texts) for (const t of types) expect(text.includes(t), `${entry.ref}: "${t}" in "${text.slice(0, 80)}…"`).toBe(false);
    }
  });
});
