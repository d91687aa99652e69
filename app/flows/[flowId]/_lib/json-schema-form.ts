// Turns a node's config JSON Schema (from `z.toJSONSchema(config, { io: "input" })`) into form
// field descriptors. Pure: no React, no DOM. Values by path, number input, display and problem
// grouping live beside it (value-path, field-format, group-errors).
import { FORBIDDEN, isRecord, isScalar, own } from "./json-value";
import { MAX_DEPTH, num, resolve, str, widgetOf } from "./schema-resolve";

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

export type FormWidget = "column" | "file" | "connection" | "multiline";

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
  /** widget "connection": the kinds of connection it accepts (e.g. ["postgres", "sqlite"]). */
  connectionKinds?: string[];
  /** "object": its fields; "objectList": the fields of one item (segments relative to the item). */
  children?: FieldDescriptor[];
  /** "unsupported": why, in words for the form. */
  reason?: string;
  /** Marked with the SDK's `advanced(...)`: a setting most people leave alone (see advanced-fields). */
  advanced?: boolean;
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
  if (own(s, "advanced") === true) d.advanced = true;
  const widget = widgetOf(s);
  if (widget) d.widget = widget;
  if (widget === "connection") {
    const kinds = own(s, "connectionKinds");
    d.connectionKinds = Array.isArray(kinds) ? kinds.filter((k): k is string => typeof k === "string") : [];
  }
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
