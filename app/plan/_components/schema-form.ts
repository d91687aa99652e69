// The tracking plan editor's form, as plain data: rows of properties (name, type, required, the
// rules that fit the type) turned into the JSON Schema the server keeps —
// `{type:"object", properties:{...}, required:[...]}` — and back. Keywords the form does not know
// are kept as they are ("other rules"). Also what changed between two versions of an entry.
// Pure: no React, no tRPC, so it is unit tested (schema-form.test.ts).

export const IDENTIFY_EVENT = "$identify";

/** ajv has no formats installed: a date and time is a string matching ISO 8601 (date, optional time). */
export const DATE_TIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?$";

export type PropType = "text" | "number" | "integer" | "boolean" | "datetime" | "other";

export const TYPE_LABELS: Record<PropType, string> = {
  text: "Text",
  number: "Number",
  integer: "Whole number",
  boolean: "Yes/No",
  datetime: "Date and time",
  other: "Other (kept as it is)",
};

export type PropRow = {
  /** Stable id for React lists; not saved. */
  key: string;
  name: string;
  type: PropType;
  required: boolean;
  /** Text: allowed values, comma-separated (→ enum). */
  allowed: string;
  /** Numbers. */
  minimum: string;
  maximum: string;
  /** Text: a regular expression. */
  pattern: string;
  /** Keywords the form does not edit, kept as they are. For type "other", the whole property schema. */
  other: Record<string, unknown>;
  /** A property schema that is not an object (true/false), kept as it is. */
  raw?: unknown;
};

export type FormModel = {
  rows: PropRow[];
  /** additionalProperties: false — properties not listed are refused. */
  onlyListed: boolean;
  /** Top-level keywords the form does not edit, kept as they are. */
  other: Record<string, unknown>;
};

let counter = 0;
const nextKey = () => `row-${++counter}`;

export function emptyRow(): PropRow {
  return { key: nextKey(), name: "", type: "text", required: false, allowed: "", minimum: "", maximum: "", pattern: "", other: {} };
}

export function emptyModel(): FormModel {
  return { rows: [emptyRow()], onlyListed: false, other: {} };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function without(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** One property schema as a form row. */
export function rowFromSchema(name: string, schema: unknown, required: boolean): PropRow {
  const row: PropRow = { ...emptyRow(), name, required };
  if (!isObject(schema)) return { ...row, type: "other", raw: schema };
  const t = schema.type;
  const used: string[] = ["type"];
  if (t === "string" && schema.pattern === DATE_TIME_PATTERN) {
    row.type = "datetime";
    used.push("pattern");
  } else if (t === "string") {
    row.type = "text";
    const e = schema.enum;
    if (Array.isArray(e) && e.length > 0 && e.every((v) => typeof v === "string" && v.trim() === v && v !== "" && !v.includes(","))) {
      row.allowed = (e as string[]).join(", ");
      used.push("enum");
    }
    if (typeof schema.pattern === "string") {
      row.pattern = schema.pattern;
      used.push("pattern");
    }
  } else if (t === "number" || t === "integer") {
    row.type = t;
    if (typeof schema.minimum === "number") {
      row.minimum = String(schema.minimum);
      used.push("minimum");
    }
    if (typeof schema.maximum === "number") {
      row.maximum = String(schema.maximum);
      used.push("maximum");
    }
  } else if (t === "boolean") {
    row.type = "boolean";
  } else {
    return { ...row, type: "other", other: { ...schema } };
  }
  return { ...row, other: without(schema, used) };
}

/** A saved entry's schema as the form. */
export function modelFromSchema(schema: unknown): FormModel {
  if (!isObject(schema)) return { rows: [], onlyListed: false, other: {} };
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
  const rows = Object.entries(props).map(([name, p]) => rowFromSchema(name, p, required.has(name)));
  // Required names that are not listed stay in "other" so nothing is lost.
  const extraRequired = [...required].filter((r) => !(r in props));
  const other = without(schema, ["type", "properties", "required", ...(schema.additionalProperties === false ? ["additionalProperties"] : [])]);
  if (!isObject(schema.properties) && schema.properties !== undefined) other.properties = schema.properties;
  if (extraRequired.length) other.required = extraRequired;
  return { rows, onlyListed: schema.additionalProperties === false, other };
}

/** Switching a row's type keeps its name, required mark and other rules; rules of the old type are dropped when saved. */
export function changeType(row: PropRow, type: PropType): PropRow {
  if (row.type === "other" && type !== "other") return { ...row, type, raw: undefined, other: without(row.other, ["type"]) };
  return { ...row, type };
}

export function propertySchema(row: PropRow): unknown {
  if (row.type === "other") return row.raw !== undefined ? row.raw : row.other;
  const out: Record<string, unknown> = { ...row.other };
  switch (row.type) {
    case "text": {
      out.type = "string";
      const values = row.allowed.split(",").map((v) => v.trim()).filter(Boolean);
      if (values.length) out.enum = [...new Set(values)];
      if (row.pattern.trim()) out.pattern = row.pattern.trim();
      break;
    }
    case "number":
    case "integer":
      out.type = row.type;
      if (row.minimum.trim()) out.minimum = Number(row.minimum.trim());
      if (row.maximum.trim()) out.maximum = Number(row.maximum.trim());
      break;
    case "boolean":
      out.type = "boolean";
      break;
    case "datetime":
      out.type = "string";
      out.pattern = DATE_TIME_PATTERN;
      break;
  }
  return out;
}

/** What is wrong with the form, in words, one per problem (empty when it can be saved). */
export function formProblems(model: FormModel): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  model.rows.forEach((row, i) => {
    const name = row.name.trim();
    const which = name ? `“${name}”` : `Row ${i + 1}`;
    if (!name) problems.push(`Row ${i + 1}: give the property a name.`);
    else if (seen.has(name)) problems.push(`${which}: the name is used twice.`);
    seen.add(name);
    if (row.type === "number" || row.type === "integer") {
      for (const [label, v] of [["minimum", row.minimum], ["maximum", row.maximum]] as const) {
        if (v.trim() && !Number.isFinite(Number(v.trim()))) problems.push(`${which}: the ${label} must be a number.`);
      }
      const lo = Number(row.minimum.trim()), hi = Number(row.maximum.trim());
      if (row.minimum.trim() && row.maximum.trim() && Number.isFinite(lo) && Number.isFinite(hi) && lo > hi) problems.push(`${which}: the minimum is above the maximum.`);
    }
    if (row.type === "text" && row.pattern.trim()) {
      try {
        new RegExp(row.pattern.trim(), "u");
      } catch {
        problems.push(`${which}: the pattern is not a valid regular expression.`);
      }
    }
  });
  return problems;
}

/** The form as the JSON Schema to save (check formProblems first). */
export function schemaFromModel(model: FormModel): Record<string, unknown> {
  const rows = model.rows.filter((r) => r.name.trim());
  const properties = Object.fromEntries(rows.map((r) => [r.name.trim(), propertySchema(r)]));
  const listedRequired = rows.filter((r) => r.required).map((r) => r.name.trim());
  const extra = Array.isArray(model.other.required) ? (model.other.required as unknown[]).filter((r): r is string => typeof r === "string") : [];
  const required = [...new Set([...listedRequired, ...extra])];
  return {
    ...without(model.other, ["required"]),
    type: "object",
    properties,
    required,
    ...(model.onlyListed ? { additionalProperties: false } : {}),
  };
}

/** A property in words, e.g. "Text, required, one of: a, b". */
export function describeRow(row: PropRow): string {
  const parts = [TYPE_LABELS[row.type]];
  if (row.required) parts.push("required");
  if (row.type === "text" && row.allowed.trim()) parts.push(`one of: ${row.allowed.split(",").map((v) => v.trim()).filter(Boolean).join(", ")}`);
  if (row.type === "text" && row.pattern.trim()) parts.push(`pattern ${row.pattern.trim()}`);
  if ((row.type === "number" || row.type === "integer") && row.minimum.trim()) parts.push(`at least ${row.minimum.trim()}`);
  if ((row.type === "number" || row.type === "integer") && row.maximum.trim()) parts.push(`at most ${row.maximum.trim()}`);
  const other = row.type === "other" ? (row.raw !== undefined ? row.raw : row.other) : row.other;
  if (row.type === "other" || Object.keys(row.other).length) parts.push(`other rules ${stableJson(other)}`);
  return parts.join(", ");
}

/** JSON with object keys sorted, so equal schemas give equal text. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

export type PlanDiff = {
  added: { name: string; now: string }[];
  removed: { name: string; was: string }[];
  changed: { name: string; was: string; now: string }[];
  /** Entry-wide changes (properties not listed refused or not, other rules). */
  entry: string[];
};

/** What changed from one version's schema to the next (previous null: the first version, everything added). */
export function diffSchemas(previous: unknown, next: unknown): PlanDiff {
  const before = modelFromSchema(previous ?? {});
  const after = modelFromSchema(next);
  const was = new Map(before.rows.map((r) => [r.name, r]));
  const now = new Map(after.rows.map((r) => [r.name, r]));
  const diff: PlanDiff = { added: [], removed: [], changed: [], entry: [] };
  for (const [name, row] of now) {
    const old = was.get(name);
    if (!old) diff.added.push({ name, now: describeRow(row) });
    else if (old.required !== row.required || stableJson(propertySchema(old)) !== stableJson(propertySchema(row))) diff.changed.push({ name, was: describeRow(old), now: describeRow(row) });
  }
  for (const [name, row] of was) if (!now.has(name)) diff.removed.push({ name, was: describeRow(row) });
  if (previous != null && before.onlyListed !== after.onlyListed) diff.entry.push(after.onlyListed ? "Properties not listed are now refused" : "Properties not listed are now let in");
  if (previous != null && stableJson(before.other) !== stableJson(after.other)) diff.entry.push(`Other rules: ${stableJson(before.other)} → ${stableJson(after.other)}`);
  return diff;
}

export const isDiffEmpty = (d: PlanDiff) => !d.added.length && !d.removed.length && !d.changed.length && !d.entry.length;

/** For the list: how many properties and which are required. */
export function summarise(schema: unknown): { count: number; required: string[] } {
  const m = modelFromSchema(schema);
  return { count: m.rows.length, required: m.rows.filter((r) => r.required).map((r) => r.name) };
}
