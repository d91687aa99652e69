// Liquid templates for messages (subject, HTML body, text body), sandboxed: own properties only
// (`row.constructor` is nothing), unknown filters are errors, and parse size, render time and
// memory are limited (liquidjs leaves all three unlimited by default). There is no file system:
// include, render and layout do not exist. HTML output is escaped unless a value is marked safe
// with `| raw`. A template may name only `row.<column>`, `profile.<trait>`, `unsubscribe_url` and
// its own variables (assign, capture, for), so a typo or `{{ this.constructor }}` is an error at
// save, with its line and column.
import { filters, Liquid, type FilterImplOptions, type Template, type Variable } from "liquidjs";

export const LIMITS = {
  /** Characters of one template. */
  templateChars: 100_000,
  /** Milliseconds one render may take. */
  renderMs: 500,
  /** liquidjs's memory units (characters of strings built, items of ranges) one render may use. */
  memory: 1_000_000,
  /** Characters of one rendered template. */
  outputChars: 500_000,
} as const;

export type TemplateKind = "html" | "text";

/** The variables a template may start from. */
export const TEMPLATE_ROOTS = ["row", "profile", "unsubscribe_url"] as const;

export interface TemplateProblem {
  line: number;
  column: number;
  message: string;
}

export class TemplateError extends Error {
  constructor(readonly problem: TemplateProblem) {
    super(`line ${problem.line}, column ${problem.column}: ${problem.message}`);
    this.name = "TemplateError";
  }
}

/** What a message template is rendered with. */
export interface TemplateScope {
  row: Record<string, unknown>;
  profile: Record<string, unknown>;
  unsubscribe_url: string;
}

export interface TemplateOptions {
  /** The variables a template may start from: default row, profile and unsubscribe_url; "any" for templates whose variables are the columns themselves. */
  roots?: readonly string[] | "any";
}

function engine(kind: TemplateKind): Liquid {
  const liquid = new Liquid({
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    parseLimit: LIMITS.templateChars,
    renderLimit: LIMITS.renderMs,
    memoryLimit: LIMITS.memory,
    // escape_once rather than escape: a value captured or escaped by hand is not escaped twice.
    outputEscape: kind === "html" ? (filters.escape_once as (v: unknown) => string) : undefined,
    cache: false,
    dynamicPartials: false,
    relativeReference: false,
    // Lookups of partials and layouts never reach a disk (the tags are removed below as well).
    templates: {},
  });
  // No templates from elsewhere: these tags do not exist here, so using one is a parse error.
  for (const tag of ["include", "render", "layout"]) delete (liquid.tags as Record<string, unknown>)[tag];
  return liquid;
}

const ENGINES: Record<TemplateKind, Liquid> = { html: engine("html"), text: engine("text") };

/** Names that reach an object's machinery rather than its data. */
const FORBIDDEN = /^(constructor|prototype|__.*)$/;

const CLEAN_MESSAGE = /,\s*line:\d+,\s*col:\d+\s*$/;

function problemOf(err: unknown): TemplateProblem {
  const e = err as { token?: { getPosition?: () => [number, number] }; message?: string; originalError?: Error };
  const [line, column] = e.token?.getPosition?.() ?? [1, 1];
  const raw = String(e.message ?? err).split("\n")[0]!.replace(CLEAN_MESSAGE, "");
  return { line, column, message: explain(raw) };
}

function explain(message: string): string {
  if (/^undefined filter: /.test(message)) return `unknown filter "${message.replace(/^undefined filter: /, "")}"`;
  if (/template render limit exceeded/.test(message)) return `the template took longer than ${LIMITS.renderMs} ms to render (a loop too long?)`;
  if (/memory alloc limit exceeded/.test(message)) return `the template would build more than ${LIMITS.memory.toLocaleString("en-US")} characters or items (a loop or range too long?)`;
  const tag = /^tag "(include|render|layout)" not found$/.exec(message);
  if (tag) return `{% ${tag[1]} %} is not available: a message template cannot load other templates`;
  return message;
}

function segmentsOf(v: Variable): (string | number | Variable)[] {
  return v.segments;
}

/** Every name a variable reaches, nested lookups (`row[other.name]`) included. */
function* names(v: Variable): Generator<{ name: string; at: Variable }> {
  for (const s of segmentsOf(v)) {
    if (typeof s === "string") yield { name: s, at: v };
    else if (typeof s === "object") yield* names(s);
  }
}

/** Parses and checks a template without data; the problem, or the parsed template. */
export function parseTemplate(source: string, kind: TemplateKind, opts: TemplateOptions = {}): { template: Template[] } | { problem: TemplateProblem } {
  const roots = opts.roots ?? TEMPLATE_ROOTS;
  if (source.length > LIMITS.templateChars) return { problem: { line: 1, column: 1, message: `the template is longer than ${LIMITS.templateChars.toLocaleString("en-US")} characters` } };
  const liquid = ENGINES[kind];
  let template: Template[];
  try {
    template = liquid.parse(source);
  } catch (err) {
    return { problem: problemOf(err) };
  }
  try {
    const analysis = liquid.analyzeSync(template, { partials: false });
    const at = (v: Variable) => ({ line: v.location.row, column: v.location.col });
    for (const list of Object.values(analysis.variables)) {
      for (const v of list) {
        for (const n of names(v)) {
          if (FORBIDDEN.test(n.name)) return { problem: { ...at(n.at), message: `"${n.name}" cannot be used in a template (only the row's columns and the profile's traits)` } };
        }
      }
    }
    for (const [root, list] of Object.entries(analysis.globals)) {
      if (roots !== "any" && !roots.includes(root)) {
        const hint = root !== "this" && roots.includes("row") && roots.includes("profile") ? `; write row.${root} for a column or profile.${root} for a trait` : "";
        return { problem: { ...at(list[0]!), message: `unknown variable "${root}"${hint} (a template can use ${roots.join(", ").replace(/, ([^,]*)$/, " and $1")})` } };
      }
      if (root === "this") return { problem: { ...at(list[0]!), message: 'unknown variable "this"' } };
    }
  } catch (err) {
    return { problem: problemOf(err) };
  }
  return { template };
}

/**
 * The template's first problem, or null: a syntax error, a name it may not use, or a render that
 * fails whatever the data (a loop over ten million items), found by rendering it once with no data.
 */
export function checkTemplate(source: string, kind: TemplateKind, opts: TemplateOptions = {}): TemplateProblem | null {
  const parsed = parseTemplate(source, kind, opts);
  if ("problem" in parsed) return parsed.problem;
  try {
    const roots = opts.roots === "any" ? [] : (opts.roots ?? TEMPLATE_ROOTS);
    renderParsed(parsed.template, kind, Object.fromEntries(roots.map((r) => [r, r === "unsubscribe_url" ? "https://example.invalid/u/check" : {}])));
  } catch (err) {
    const problem = err instanceof TemplateError ? err.problem : problemOf(err);
    // Only the limits: other failures may depend on the data (preview shows those with a customer).
    if (/longer than|more than/.test(problem.message)) return problem;
  }
  return null;
}

function renderParsed(template: Template[], kind: TemplateKind, scope: object): string {
  let out: unknown;
  try {
    out = ENGINES[kind].renderSync(template, scope);
  } catch (err) {
    throw new TemplateError(problemOf(err));
  }
  const text = String(out ?? "");
  if (text.length > LIMITS.outputChars) throw new TemplateError({ line: 1, column: 1, message: `the message is longer than ${LIMITS.outputChars.toLocaleString("en-US")} characters` });
  return text;
}

/** A parsed template, to render once per customer (or row). */
export interface CompiledTemplate {
  kind: TemplateKind;
  /** TemplateError when the render fails (a limit, a filter refusing its input). Give values through templateValue. */
  render(scope: TemplateScope | Record<string, unknown>): string;
}

/** Parses a template for rendering; TemplateError when it has a problem. */
export function compileTemplate(source: string, kind: TemplateKind, opts: TemplateOptions = {}): CompiledTemplate {
  const parsed = parseTemplate(source, kind, opts);
  if ("problem" in parsed) throw new TemplateError(parsed.problem);
  return { kind, render: (scope) => renderParsed(parsed.template, kind, scope) };
}

/** Values as a template sees them: numbers, strings, booleans, plain objects and arrays; dates as ISO text. */
export function templateValue(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (v instanceof Date) return v.toISOString();
  if (depth > 5) return null;
  if (Array.isArray(v)) return v.map((x) => templateValue(x, depth + 1));
  if (typeof v === "object") {
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return String(v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!FORBIDDEN.test(k)) out[k] = templateValue(x, depth + 1);
    return out;
  }
  return String(v);
}

/** The filters a template may use, for the help text. */
export function filterNames(): string[] {
  return Object.keys(ENGINES.text.filters as Record<string, FilterImplOptions>).sort();
}
