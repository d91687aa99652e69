import { z } from "zod";
import { ConfigError, defineNode, type DatasetRef } from "../sdk";
import { checkNoPositionColumn, freeName, POSITION, typeFamily } from "./sql-helpers";

const LABEL = "Stack tables";
const PORTS = ["a", "b", "c", "d"] as const;
type Port = (typeof PORTS)[number];

const config = z.object({
  sourceColumn: z
    .string()
    .optional()
    .describe("Add a column with this name that says which input each row came from, e.g. source. Empty: no such column."),
  labels: z
    .object({
      a: z.string().optional().describe("What to write in the source column for rows of the first input. Empty: a."),
      b: z.string().optional().describe("For rows of the second input. Empty: b."),
      c: z.string().optional().describe("For rows of the third input. Empty: c."),
      d: z.string().optional().describe("For rows of the fourth input. Empty: d."),
    })
    .default({})
    .describe("Names for the inputs in the source column."),
});

/** The type a column gets when the inputs disagree: the same, a wider number, a timestamp, or text. */
function commonType(types: readonly string[]): { type: string; toText: boolean } {
  const distinct = [...new Set(types)];
  if (distinct.length === 1) return { type: distinct[0]!, toText: false };
  const families = new Set(distinct.map(typeFamily));
  if ([...families].every((f) => f === "integer")) {
    // Any signed or unsigned whole-number mix fits in HUGEINT, except UHUGEINT.
    return distinct.includes("UHUGEINT") ? { type: "DOUBLE", toText: false } : { type: distinct.every((t) => t !== "HUGEINT" && t !== "UBIGINT") ? "BIGINT" : "HUGEINT", toText: false };
  }
  if ([...families].every((f) => f === "integer" || f === "number")) return { type: "DOUBLE", toText: false };
  if ([...families].every((f) => f === "date" || f === "timestamp")) {
    return { type: distinct.some((t) => /TIME ZONE|TIMESTAMPTZ/i.test(t)) ? "TIMESTAMPTZ" : "TIMESTAMP", toText: false };
  }
  return { type: "VARCHAR", toText: true };
}

export default defineNode({
  type: "transform.union",
  version: 1,
  kind: "transform",
  label: LABEL,
  description:
    "Put the rows of two to four tables one after the other. Columns are matched by name (upper/lower case ignored); a column one table lacks is left empty there.",
  inputs: {
    a: { type: "table", label: "First" },
    b: { type: "table", label: "Second" },
    c: { type: "table", label: "Third", optional: true },
    d: { type: "table", label: "Fourth", optional: true },
  },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ds = ctx.datasets;
    const { ident } = ds;
    const connected = PORTS.flatMap((port) => (inputs[port] ? [{ port, ref: inputs[port] as DatasetRef }] : []));
    for (const { port, ref } of connected) checkNoPositionColumn(ref, LABEL, port, port);

    // Output columns: in order of first appearance (first input first); the first spelling of a name wins.
    const columns: { name: string; types: string[]; inputs: Map<Port, string> }[] = [];
    const byKey = new Map<string, (typeof columns)[number]>();
    for (const { port, ref } of connected) {
      for (const c of ref.columns) {
        const key = c.name.toLowerCase();
        let entry = byKey.get(key);
        if (!entry) {
          entry = { name: c.name, types: [], inputs: new Map() };
          byKey.set(key, entry);
          columns.push(entry);
        }
        if (entry.inputs.has(port)) {
          throw new ConfigError(`${LABEL}: input ${port} has two columns named "${c.name}" apart from upper/lower case; rename one first`, { field: port });
        }
        entry.inputs.set(port, c.name);
        entry.types.push(c.type);
      }
    }
    const source = cfg.sourceColumn?.trim() || undefined;
    if (source && byKey.has(source.toLowerCase())) {
      throw new ConfigError(`${LABEL}: an input already has a column "${byKey.get(source.toLowerCase())!.name}"; choose another name for the source column`, {
        field: "sourceColumn",
      });
    }

    const resolved = columns.map((c) => ({ ...c, ...commonType(c.types) }));
    // Helper columns for the row order, named so they cannot meet an input column.
    const used = [...columns.map((c) => c.name), ...(source ? [source] : [])];
    const inputCol = ident(freeName("_union_input", used));
    const posCol = ident(freeName("_union_position", used));
    const branches = connected.map(({ port, ref }, index) => {
      const parts = resolved.map((c) => {
        const name = c.inputs.get(port);
        if (name === undefined) return `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`;
        const own = ref.columns.find((col) => col.name === name)!.type;
        return own === c.type ? `${ident(name)} AS ${ident(c.name)}` : `CAST(${ident(name)} AS ${c.type}) AS ${ident(c.name)}`;
      });
      const label = cfg.labels[port]?.trim() || port;
      if (source) parts.push(`${ds.literal(label)} AS ${ident(source)}`);
      return `SELECT ${parts.join(", ")}, ${index} AS ${inputCol}, ${ident(POSITION)} AS ${posCol} FROM ${ds.fromWithPosition(ref)}`;
    });
    const names = [...resolved.map((c) => ident(c.name)), ...(source ? [ident(source)] : [])].join(", ");
    ctx.signal.throwIfAborted();
    const out = await ds.create(`SELECT ${names} FROM (${branches.join(" UNION ALL ")}) ORDER BY ${inputCol}, ${posCol}`);

    const rowsIn: Record<string, number> = {};
    for (const { port, ref } of connected) rowsIn[port] = ref.rows;
    const convertedToText = resolved.filter((c) => c.toText).map((c) => c.name);
    return {
      outputs: { rows: out },
      metrics: {
        rowsIn,
        rowsOut: out.rows,
        columns: out.columns.length,
        ...(convertedToText.length ? { convertedToText } : {}),
      },
    };
  },
});
