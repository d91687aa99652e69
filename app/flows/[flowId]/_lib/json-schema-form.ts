// Turns a node's config JSON Schema (from `z.toJSONSchema(config, { io: "input" })`) into form
// field descriptors, and reads/writes config values by field path. Pure: no React, no DOM.

export type JsonSchema = Record<string, unknown>;

export type FieldKind =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "enum"
  | "stringList"
  | "numberList"
  | "objectList"
  | "object"
  | "unsupported";

export type FormWidget = "column" | "file";

export type Scalar = string | number | boolean | null;

export interface FieldDescriptor {
  /** The property name in its object. */
  key: string;
  /**
   * Where the value lives, relative to the object `fieldsOf` was called on. For the `children` of an
   * "objectList" they are relative to one item: prefix them with `[...listSegments, String(index)]`.
   */
  segments: string[];
  /** `segments.join(".")`, the form servers use for problems ("keys", "keys.0", "target"). */
  path: string;
  label: string;
  description?: string;
  /** Listed in the schema's `required` (with `io: "input"`, fields with a default never are). */
  required: boolean;
  /** The schema also accepts null. */
  nullable: boolean;
  kind: FieldKind;
  /** "enum": the allowed values; "stringList": the allowed values of each item, when restricted. */
  enumValues?: Scalar[];
  hasDefault: boolean;
  default?: unknown;
  /** Numbers (and, for "numberList", see `item`). Zod's ±MAX_SAFE_INTEGER integer bounds are left out. */
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minItems?: number;
  maxItems?: number;
  /** "stringList"/"numberList": one item (kind "string", "enum", "number" or "integer", with its bounds). */
  item?: FieldDescriptor;
  widget?: FormWidget;
  /** "object": its fields; "objectList": the fields of one item (segments relative to the item). */
  children?: FieldDescriptor[];
  /** "unsupported": why, in words for the form. */
  reason?: string;
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const MAX_DEPTH = 12;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

// ---------------------------------------------------------------------------------------------
// Labels

const ACRONYMS = new Set(["id", "ids", "url", "urls", "uri", "csv", "tsv", "json", "sql", "api", "ai", "ml", "auc", "roc", "http", "https", "ip", "utm", "crm", "sms", "kpi", "ltv", "cac", "roi", "ctr"]);

/** "scoreColumn" → "Score column", "fileId" → "File", "max_rows" → "Max rows", "csvPath" → "CSV path". */
export function humanise(key: string): string {
  let k = key.trim();
  // An id of something is, to a marketer, that thing: "fileId" → "File", "fileIds" → "Files".
  const id = /^(.*[a-z0-9])(?:Id|ID|_id|-id)(s?)$/.exec(k);
  if (id && id[1]) k = id[1] + id[2];
  const words = k
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/([A-Za-z])(\d)/g, "$1 $2")
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => {
      if (ACRONYMS.has(w.toLowerCase())) return w.toLowerCase() === "ids" ? "IDs" : w.toUpperCase();
      if (w.length > 1 && w === w.toUpperCase() && /[A-Z]/.test(w)) return w;
      return w.toLowerCase();
    });
  if (!words.length) return key;
  const first = words[0]!;
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(" ");
}

// ---------------------------------------------------------------------------------------------
// Schema normalisation

interface Resolved {
  schema: JsonSchema;
  nullable: boolean;
  /** Set when the schema cannot be narrowed to one kind (a union of types, a cycle). */
  problem?: string;
  /** The `$ref`s followed to get here (with the ones passed in). */
  refs?: readonly string[];
}

function pointer(root: JsonSchema, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let at: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const seg = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (FORBIDDEN.has(seg) || !isRecord(at)) return undefined;
    at = own(at, seg);
  }
  return at;
}

function withoutKeys(s: JsonSchema, keys: string[]): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(s)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function isNullSchema(s: JsonSchema): boolean {
  return s.type === "null" || (Object.prototype.hasOwnProperty.call(s, "const") && s.const === null) || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null);
}

/** Follows local `$ref`s, and unwraps `allOf` of one, `anyOf`/`oneOf` that only add null or constants, `type: [x, "null"]`. */
function resolve(node: unknown, root: JsonSchema, refs: readonly string[] = [], depth = 0): Resolved {
  if (node === true || node === undefined) return { schema: {}, nullable: false };
  if (!isRecord(node)) return { schema: {}, nullable: false, problem: "This setting has no usable description." };
  if (depth > MAX_DEPTH) return { schema: node, nullable: false, problem: "This setting is nested too deeply to edit here." };
  let s: JsonSchema = node;
  let nullable = false;

  const ref = own(s, "$ref");
  if (typeof ref === "string") {
    if (refs.includes(ref)) return { schema: s, nullable: false, problem: "This setting refers to itself and cannot be edited here." };
    const target = pointer(root, ref);
    if (!isRecord(target)) return { schema: s, nullable: false, problem: "This setting refers to a definition that is missing." };
    const inner = resolve(target, root, [...refs, ref], depth + 1);
    const merged = { ...inner.schema, ...withoutKeys(s, ["$ref"]) };
    const again = resolve(merged, root, inner.refs ?? [...refs, ref], depth + 1);
    return { schema: again.schema, nullable: inner.nullable || again.nullable, problem: inner.problem ?? again.problem, refs: again.refs ?? inner.refs };
  }

  const allOf = own(s, "allOf");
  if (Array.isArray(allOf) && allOf.length === 1) {
    const inner = resolve(allOf[0], root, refs, depth + 1);
    const merged = resolve({ ...inner.schema, ...withoutKeys(s, ["allOf"]) }, root, inner.refs ?? refs, depth + 1);
    return { schema: merged.schema, nullable: inner.nullable || merged.nullable, problem: inner.problem ?? merged.problem, refs: merged.refs ?? inner.refs };
  }

  for (const union of ["anyOf", "oneOf"] as const) {
    const branches = own(s, union);
    if (!Array.isArray(branches)) continue;
    const resolved = branches.map((b) => resolve(b, root, refs, depth + 1));
    const bad = resolved.find((r) => r.problem);
    if (bad) return { schema: s, nullable: false, problem: bad.problem };
    const nonNull = resolved.filter((r) => !isNullSchema(r.schema));
    nullable = nonNull.length < resolved.length || resolved.some((r) => r.nullable);
    const rest = withoutKeys(s, [union]);
    if (nonNull.length === 1) {
      const merged = resolve({ ...nonNull[0]!.schema, ...rest }, root, nonNull[0]!.refs ?? refs, depth + 1);
      return { schema: merged.schema, nullable: nullable || merged.nullable, problem: merged.problem, refs: merged.refs ?? nonNull[0]!.refs };
    }
    // A union of constants (z.union([z.literal("a"), z.literal("b")])) is a choice.
    const values: Scalar[] = [];
    const allConst = nonNull.length > 0 && nonNull.every((r) => {
      const c = r.schema;
      if (Object.prototype.hasOwnProperty.call(c, "const") && isScalar(c.const)) return values.push(c.const), true;
      if (Array.isArray(c.enum) && c.enum.every(isScalar)) return values.push(...(c.enum as Scalar[])), true;
      return false;
    });
    if (allConst) return { schema: { ...rest, enum: [...new Set(values)] }, nullable };
    // Text or a number or yes/no (a query parameter, say): typed as text, which the schema accepts.
    const kinds = nonNull.map((r) => own(r.schema, "type"));
    if (kinds.includes("string") && kinds.every((k) => k === "string" || k === "number" || k === "integer" || k === "boolean")) {
      return { schema: { ...rest, type: "string" }, nullable };
    }
    return { schema: s, nullable, problem: "This setting accepts several kinds of value and cannot be edited here." };
  }

  const type = own(s, "type");
  if (Array.isArray(type)) {
    const types = type.filter((t) => t !== "null");
    nullable = types.length < type.length;
    if (types.length === 1) s = { ...s, type: types[0] };
    else if (types.length === 0) s = { ...s, type: "null" };
    else if (types.includes("string") && types.every((t) => t === "string" || t === "number" || t === "integer" || t === "boolean")) s = { ...s, type: "string" };
    else return { schema: s, nullable, problem: "This setting accepts several kinds of value and cannot be edited here." };
  }
  if (Array.isArray(s.enum) && s.enum.includes(null)) {
    nullable = true;
    s = { ...s, enum: s.enum.filter((v) => v !== null) };
  }
  return { schema: s, nullable, refs };
}

function num(s: JsonSchema, key: string): number | undefined {
  const v = own(s, key);
  if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
  // z.number().int() always carries ±MAX_SAFE_INTEGER: noise for a form.
  if (Math.abs(v) >= Number.MAX_SAFE_INTEGER) return undefined;
  return v;
}

function str(s: JsonSchema, key: string): string | undefined {
  const v = own(s, key);
  return typeof v === "string" && v !== "" ? v : undefined;
}

function widgetOf(s: JsonSchema): FormWidget | undefined {
  const w = own(s, "widget");
  return w === "column" || w === "file" ? w : undefined;
}

// ---------------------------------------------------------------------------------------------
// Descriptors

interface Ctx {
  root: JsonSchema;
  depth: number;
  /** `$ref`s of the enclosing fields: meeting one again is a cycle. */
  refs: readonly string[];
}

function describe(key: string, segments: string[], node: unknown, required: boolean, ctx: Ctx): FieldDescriptor {
  const base = {
    key,
    segments,
    path: segments.join("."),
    required,
  };
  if (FORBIDDEN.has(key)) {
    return { ...base, label: humanise(key), nullable: false, kind: "unsupported", hasDefault: false, reason: "This setting has a reserved name and cannot be edited here." };
  }
  const r = resolve(node, ctx.root, ctx.refs, 0);
  const s = r.schema;
  const inner: Ctx = { root: ctx.root, depth: ctx.depth + 1, refs: r.refs ?? ctx.refs };
  const title = str(s, "title");
  const description = str(s, "description");
  const hasDefault = Object.prototype.hasOwnProperty.call(s, "default");
  const d: FieldDescriptor = {
    ...base,
    label: title ?? humanise(key),
    ...(description ? { description } : {}),
    nullable: r.nullable,
    kind: "unsupported",
    hasDefault,
    ...(hasDefault ? { default: s.default } : {}),
  };
  const widget = widgetOf(s);
  if (widget) d.widget = widget;
  if (r.problem) return { ...d, reason: r.problem };
  if (ctx.depth > MAX_DEPTH) return { ...d, reason: "This setting is nested too deeply to edit here." };

  if (Object.prototype.hasOwnProperty.call(s, "const") && isScalar(s.const)) return { ...d, kind: "enum", enumValues: [s.const] };
  if (Array.isArray(s.enum)) {
    const values = s.enum.filter(isScalar);
    if (values.length && values.length === s.enum.length) return { ...d, kind: "enum", enumValues: values };
    return { ...d, reason: "This setting's choices cannot be shown here." };
  }

  const type = own(s, "type") ?? (isRecord(own(s, "properties")) ? "object" : own(s, "items") !== undefined ? "array" : undefined);
  switch (type) {
    case "string": {
      const out: FieldDescriptor = { ...d, kind: "string" };
      const minLength = num(s, "minLength");
      const maxLength = num(s, "maxLength");
      const pattern = str(s, "pattern");
      const format = str(s, "format");
      if (minLength !== undefined) out.minLength = minLength;
      if (maxLength !== undefined) out.maxLength = maxLength;
      if (pattern) out.pattern = pattern;
      if (format) out.format = format;
      return out;
    }
    case "number":
    case "integer": {
      const out: FieldDescriptor = { ...d, kind: type === "integer" ? "integer" : "number" };
      for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const) {
        const v = num(s, k);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case "boolean":
      return { ...d, kind: "boolean" };
    case "object": {
      const props = own(s, "properties");
      if (!isRecord(props)) return { ...d, reason: "This setting is a free-form set of values and cannot be edited here." };
      return { ...d, kind: "object", children: fieldsAt(s, segments, inner) };
    }
    case "array": {
      if (own(s, "prefixItems") !== undefined) return { ...d, reason: "This setting is a fixed-length list and cannot be edited here." };
      const minItems = num(s, "minItems");
      const maxItems = num(s, "maxItems");
      const list: FieldDescriptor = { ...d };
      if (minItems !== undefined) list.minItems = minItems;
      if (maxItems !== undefined) list.maxItems = maxItems;
      const itemNode = own(s, "items");
      const item = describe("item", [], itemNode, true, inner);
      if (item.kind === "string" || (item.kind === "enum" && item.enumValues?.every((v) => typeof v === "string"))) {
        const w = item.widget ?? widget;
        return { ...list, kind: "stringList", item, ...(w ? { widget: w } : {}), ...(item.kind === "enum" ? { enumValues: item.enumValues } : {}) };
      }
      if (item.kind === "number" || item.kind === "integer") return { ...list, kind: "numberList", item };
      if (item.kind === "object") {
        const ri = resolve(itemNode, ctx.root, inner.refs);
        return { ...list, kind: "objectList", item, children: fieldsAt(ri.schema, [], { ...inner, refs: ri.refs ?? inner.refs }) };
      }
      return { ...list, reason: "This list holds values that cannot be edited here." };
    }
    default:
      return { ...d, reason: "This setting cannot be edited in this form." };
  }
}

function fieldsAt(schema: JsonSchema, base: string[], ctx: Ctx): FieldDescriptor[] {
  const props = own(schema, "properties");
  if (!isRecord(props)) return [];
  const required = Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === "string") : [];
  return Object.entries(props).map(([key, node]) => describe(key, [...base, key], node, required.includes(key), ctx));
}

/** The fields of an object schema, in schema order. A schema that is not an object with properties has none. */
export function fieldsOf(schema: JsonSchema): FieldDescriptor[] {
  if (!isRecord(schema)) return [];
  const root = resolve(schema, schema);
  return fieldsAt(root.schema, [], { root: schema, depth: 0, refs: root.refs ?? [] });
}

/** Every descriptor, depth first (object children and objectList item fields included). */
export function allFields(fields: readonly FieldDescriptor[]): FieldDescriptor[] {
  const out: FieldDescriptor[] = [];
  const walk = (fs: readonly FieldDescriptor[]) => {
    for (const f of fs) {
      out.push(f);
      if (f.children) walk(f.children);
    }
  };
  walk(fields);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values by path

export type Path = string | readonly string[];

export function toSegments(path: Path): string[] {
  if (typeof path !== "string") return [...path];
  return path === "" ? [] : path.split(".");
}

function safe(segments: readonly string[]): boolean {
  return segments.every((s) => !FORBIDDEN.has(s));
}

function indexOf(seg: string): number | undefined {
  return /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : undefined;
}

/** The value at a path ("a.b.0"), own properties only; undefined when missing or unsafe. */
export function getAt(value: unknown, path: Path): unknown {
  const segs = toSegments(path);
  if (!safe(segs)) return undefined;
  let at: unknown = value;
  for (const seg of segs) {
    if (Array.isArray(at)) {
      const i = indexOf(seg);
      if (i === undefined || i >= at.length) return undefined;
      at = at[i];
    } else if (isRecord(at)) {
      at = own(at, seg);
    } else {
      return undefined;
    }
  }
  return at;
}

/** Whether the path is present (an own key or an index in range). */
export function hasAt(value: unknown, path: Path): boolean {
  const segs = toSegments(path);
  if (!segs.length || !safe(segs)) return false;
  const parent = getAt(value, segs.slice(0, -1));
  const last = segs[segs.length - 1]!;
  if (Array.isArray(parent)) {
    const i = indexOf(last);
    return i !== undefined && i < parent.length;
  }
  return isRecord(parent) && Object.prototype.hasOwnProperty.call(parent, last);
}

function setIn(container: unknown, segs: readonly string[], next: unknown, remove: boolean): unknown {
  const [head, ...rest] = segs as [string, ...string[]];
  if (Array.isArray(container)) {
    const i = indexOf(head);
    if (i === undefined || i > container.length) return container;
    const copy = container.slice();
    if (rest.length === 0) {
      if (remove) copy.splice(i, 1);
      else copy[i] = next;
    } else {
      copy[i] = setIn(copy[i], rest, next, remove);
    }
    return copy;
  }
  const obj: Record<string, unknown> = isRecord(container) ? { ...container } : {};
  if (rest.length === 0) {
    if (remove) delete obj[head];
    else obj[head] = next;
  } else {
    const child = own(obj, head);
    obj[head] = setIn(child === undefined && indexOf(rest[0]!) !== undefined ? [] : child, rest, next, remove);
  }
  return obj;
}

/**
 * A copy of `value` with `next` at `path`. `undefined` or "" removes the key (or the list item), so an
 * optional field left empty is never sent as "" (which could fail a pattern). Unsafe paths
 * (`__proto__`, `constructor`, `prototype`) and the empty path leave `value` as it is.
 */
export function setAt<T extends Record<string, unknown>>(value: T, path: Path, next: unknown): T {
  const segs = toSegments(path);
  if (!segs.length || !safe(segs)) return value;
  const remove = next === undefined || next === "";
  if (remove && !hasAt(value, segs)) return value;
  return setIn(value, segs, next, remove) as T;
}

// ---------------------------------------------------------------------------------------------
// Numbers

export interface NumberBounds {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * What the user typed in a number field: undefined when empty (remove the key), the number, or an
 * error to show inline. Never NaN or Infinity. With `bounds`, out-of-range numbers are errors too.
 */
export function parseNumberInput(text: string, integer: boolean, bounds: NumberBounds = {}): number | undefined | { error: string } {
  const t = text.trim();
  if (t === "") return undefined;
  if (!NUMBER.test(t)) {
    if (/^[+-]?\d+,\d+$/.test(t)) return { error: `Use a dot for decimals, e.g. ${t.replace(",", ".")}` };
    return { error: integer ? "Enter a whole number" : "Enter a number" };
  }
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: "This number is too large" };
  if (integer && !Number.isInteger(n)) return { error: "Enter a whole number" };
  if (integer && !Number.isSafeInteger(n)) return { error: "This number is too large" };
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = bounds;
  if (minimum !== undefined && n < minimum) return { error: `Must be at least ${formatNumber(minimum)}` };
  if (maximum !== undefined && n > maximum) return { error: `Must be at most ${formatNumber(maximum)}` };
  if (exclusiveMinimum !== undefined && n <= exclusiveMinimum) return { error: `Must be more than ${formatNumber(exclusiveMinimum)}` };
  if (exclusiveMaximum !== undefined && n >= exclusiveMaximum) return { error: `Must be less than ${formatNumber(exclusiveMaximum)}` };
  return Object.is(n, -0) ? 0 : n;
}

function formatNumber(n: number): string {
  return String(n);
}

/** The `min`/`max`/`step` attributes of a number input for a "number"/"integer" descriptor. */
export function numberInputAttrs(f: Pick<FieldDescriptor, "kind" | "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum">): { min?: number; max?: number; step: number | "any" } {
  const integer = f.kind === "integer";
  const attrs: { min?: number; max?: number; step: number | "any" } = { step: integer ? 1 : "any" };
  const min = f.minimum ?? (integer && f.exclusiveMinimum !== undefined ? Math.floor(f.exclusiveMinimum) + 1 : undefined);
  const max = f.maximum ?? (integer && f.exclusiveMaximum !== undefined ? Math.ceil(f.exclusiveMaximum) - 1 : undefined);
  if (min !== undefined) attrs.min = min;
  if (max !== undefined) attrs.max = max;
  return attrs;
}

/** "Between 0.05 and 0.5", "At least 1", "More than 0 and less than 1": for help under a number field. */
export function describeBounds(f: NumberBounds): string | undefined {
  const low = f.minimum !== undefined ? { n: f.minimum, strict: false } : f.exclusiveMinimum !== undefined ? { n: f.exclusiveMinimum, strict: true } : undefined;
  const high = f.maximum !== undefined ? { n: f.maximum, strict: false } : f.exclusiveMaximum !== undefined ? { n: f.exclusiveMaximum, strict: true } : undefined;
  if (low && high && !low.strict && !high.strict) return `Between ${formatNumber(low.n)} and ${formatNumber(high.n)}`;
  const parts: string[] = [];
  if (low) parts.push(`${low.strict ? "more than" : "at least"} ${formatNumber(low.n)}`);
  if (high) parts.push(`${high.strict ? "less than" : "at most"} ${formatNumber(high.n)}`);
  if (!parts.length) return undefined;
  const text = parts.join(" and ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Display of values and defaults

/** A value as a marketer reads it: "0.2", "on", "8, 16", "first". */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return "none";
  if (typeof v === "boolean") return v ? "on" : "off";
  if (typeof v === "string") return v === "" ? "empty" : v;
  if (typeof v === "number") return formatNumber(v);
  if (Array.isArray(v)) return v.length ? v.map(formatValue).join(", ") : "none";
  return "set";
}

/** The placeholder of a text or number input: "Default: 0.2" when there is a default. */
export function defaultPlaceholder(f: Pick<FieldDescriptor, "hasDefault" | "default">): string | undefined {
  if (!f.hasDefault || f.default === undefined || f.default === "") return undefined;
  return `Default: ${formatValue(f.default)}`;
}

// ---------------------------------------------------------------------------------------------
// Problems

export interface GeneralProblem {
  /** The problem's path; "" for the whole config. */
  path: string;
  /** Where that is, in words ("" for the whole config or when no field matches). */
  where: string;
  message: string;
}

export interface GroupedErrors {
  /** Messages by the path of the field that shows them. */
  byField: Record<string, string[]>;
  /** For the box at the top: "" and paths that belong to no field. */
  general: GeneralProblem[];
}

/** Every concrete field path the form shows for this value (object-list items expanded by index). */
export function fieldPaths(fields: readonly FieldDescriptor[], value: unknown, base: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const segs = [...base, ...f.segments];
    out.push(segs.join("."));
    if (f.kind === "object" && f.children) out.push(...fieldPaths(f.children, value, base));
    if (f.kind === "objectList" && f.children) {
      const items = getAt(value, segs);
      const list = Array.isArray(items) ? items : Array.isArray(f.default) ? f.default : [];
      for (let i = 0; i < list.length; i++) out.push(...fieldPaths(f.children, value, [...segs, String(i)]));
    }
  }
  return out;
}

/**
 * Assigns each problem to the deepest field whose path equals it or is a prefix of it
 * ("keys.0" → "keys"); "" and paths matching no field go to `general`.
 */
export function groupErrors(fields: readonly FieldDescriptor[], value: unknown, errors: Record<string, readonly string[]> | undefined): GroupedErrors {
  const byField: Record<string, string[]> = {};
  const general: GeneralProblem[] = [];
  if (!errors) return { byField, general };
  const paths = fieldPaths(fields, value).sort((a, b) => b.length - a.length);
  const labels = new Map<string, string>();
  for (const f of allFields(fields)) if (!labels.has(f.key)) labels.set(f.key, f.label);
  for (const [path, messages] of Object.entries(errors)) {
    if (!Array.isArray(messages) || !messages.length) continue;
    const owner = path === "" ? undefined : paths.find((p) => path === p || path.startsWith(`${p}.`));
    if (owner !== undefined) {
      (byField[owner] ??= []).push(...messages);
      continue;
    }
    const where = toSegments(path)
      .map((seg) => (indexOf(seg) !== undefined ? `#${Number(seg) + 1}` : (labels.get(seg) ?? humanise(seg))))
      .join(" › ");
    for (const message of messages) general.push({ path, where, message });
  }
  return { byField, general };
}
