import { describe, expect, it } from "vitest";
import { z } from "zod";
import { advanced, column } from "../../../../nodes/sdk/index.ts";
import { advancedSummary, changedFields, isAdvanced, problemPaths, splitAdvanced } from "./advanced-fields.ts";
import { fieldsOf } from "./json-schema-form.ts";

const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;

const config = z.object({
  target: column(z.string()).describe("Column to predict"),
  seed: advanced(z.number().int().default(42)).describe("Same seed, same model"),
  algorithm: z.enum(["neural", "logistic"]).default("neural"),
  hiddenLayers: advanced(z.array(z.number().int()).default([8])),
  scoreColumn: advanced(column(z.string())).default("score").describe("Name of the new column"),
  options: advanced(z.object({ retries: z.number().int().default(3), note: z.string().optional() }).default({ retries: 3 })),
  // Marked advanced but required with no default: never put away.
  key: advanced(z.string()),
  note: advanced(z.string().optional()),
});
const fields = fieldsOf(schemaOf(config));

describe("advanced fields", () => {
  it("reads the SDK's advanced() hint, also combined with column() and a default", () => {
    const flags = Object.fromEntries(fields.map((f) => [f.key, f.advanced === true]));
    expect(flags).toEqual({ target: false, seed: true, algorithm: false, hiddenLayers: true, scoreColumn: true, options: true, key: true, note: true });
    const score = fields.find((f) => f.key === "scoreColumn")!;
    expect(score.widget).toBe("column");
    expect(score.description).toBe("Name of the new column");
    expect(score.default).toBe("score");
  });

  it("splits plain from advanced in schema order, and never puts a required field away", () => {
    const { plain, advanced: adv } = splitAdvanced(fields);
    expect(plain.map((f) => f.key)).toEqual(["target", "algorithm", "key"]);
    expect(adv.map((f) => f.key)).toEqual(["seed", "hiddenLayers", "scoreColumn", "options", "note"]);
    expect(isAdvanced(fields.find((f) => f.key === "key")!)).toBe(false);
    expect(splitAdvanced([])).toEqual({ plain: [], advanced: [] });
  });

  it("finds the advanced settings with a problem: the server's, nested paths, and invalid typed text", () => {
    const { advanced: adv } = splitAdvanced(fields);
    expect(problemPaths(adv, {})).toEqual([]);
    // A plain field's problem is not the advanced section's; an empty message list is none.
    expect(problemPaths(adv, { target: ["Required"], seed: [] })).toEqual([]);
    expect(problemPaths(adv, { seed: ["Must be a whole number"], "options.retries": ["Too small"], target: ["Required"] })).toEqual(["options.retries", "seed"]);
    // "seedling" is not inside "seed".
    expect(problemPaths(adv, { seedling: ["x"] })).toEqual([]);
    expect(problemPaths(adv, { seed: ["x"] }, { seed: { text: "abc" }, scoreColumn: null, target: { text: "?" } })).toEqual(["seed"]);
    expect(problemPaths(adv, {}, { "hiddenLayers.0": { text: "1.5" } })).toEqual(["hiddenLayers.0"]);
  });

  it("counts the settings changed from their default", () => {
    const { advanced: adv } = splitAdvanced(fields);
    const changed = (v: Record<string, unknown>) => changedFields(adv, v).map((f) => f.key);
    expect(changed({})).toEqual([]);
    // Set to the default (lists and objects compared by value, keys in any order): not changed.
    expect(changed({ seed: 42, hiddenLayers: [8], scoreColumn: "score", options: { retries: 3 } })).toEqual([]);
    expect(changed({ seed: 7, hiddenLayers: [8, 4], options: { retries: 3, note: "x" }, target: "Churn" })).toEqual(["seed", "hiddenLayers", "options"]);
    // Without a default: changed once it holds something.
    expect(changed({ note: "" })).toEqual([]);
    expect(changed({ note: "hello" })).toEqual(["note"]);
  });

  it("says how many settings the section holds, and how many changed or have a problem", () => {
    expect(advancedSummary(4, 0, 0)).toBe("Advanced · 4 settings");
    expect(advancedSummary(1, 0, 0)).toBe("Advanced · 1 setting");
    expect(advancedSummary(12, 2, 0)).toBe("Advanced · 12 settings · 2 changed");
    expect(advancedSummary(12, 0, 1)).toBe("Advanced · 12 settings · 1 problem");
    expect(advancedSummary(3, 1, 2)).toBe("Advanced · 3 settings · 1 changed · 2 problems");
  });
});
