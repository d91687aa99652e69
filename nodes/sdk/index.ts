// What integrators import to write a node package. Imports only zod.
import type { z } from "zod";
import type { Column, NodeDefinition, PortSpec, PortType } from "./types";

export * from "./types";
export * from "./errors";
export * from "./connections";
export * from "./redact";

const TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;

/** Declare a node. One file, one default export: `export default defineNode({...})`. */
export function defineNode<C extends z.ZodType, I extends Record<string, PortSpec>, O extends Record<string, PortSpec>>(
  def: NodeDefinition<C, I, O>,
): NodeDefinition<C, I, O> {
  if (!TYPE_PATTERN.test(def.type)) throw new Error(`defineNode: type "${def.type}" must look like "kind.name"`);
  if (!Number.isInteger(def.version) || def.version < 1) throw new Error(`defineNode ${def.type}: version must be a positive integer`);
  return Object.freeze(def);
}

export function portType(spec: PortSpec): PortType {
  return typeof spec === "string" ? spec : spec.type;
}

export function portOptional(spec: PortSpec): boolean {
  return typeof spec === "string" ? false : spec.optional === true;
}

/**
 * Hints for the config form (they reach the browser as `"widget"` in the JSON Schema):
 * `column(z.string())` names a column of the input, so the form offers the upstream columns;
 * `uploadedFile(z.string(), ["csv"])` is the id of an uploaded file, so the form offers the uploads
 * of those formats ("csv", "json"; all when none are given); `connectionField(z.string(), ["postgres"])`
 * (nodes/sdk/connections.ts) names a connection, so the form offers the connections of those kinds.
 */
export type FormWidget = "column" | "file" | "connection" | "multiline";

export function column<T extends z.ZodType>(schema: T): T {
  return schema.meta({ widget: "column" satisfies FormWidget });
}

/** Text of several lines (a template, a message): the form gives it a text area. */
export function multiline<T extends z.ZodType>(schema: T): T {
  return schema.meta({ widget: "multiline" satisfies FormWidget });
}

/**
 * A setting most people leave alone (a seed, a learning rate, a timeout, a batch size, the name of
 * a generated column): the form puts it in a closed "Advanced" section below the others. It reaches
 * the browser as `"advanced": true` in the JSON Schema. Only for settings with a default or that may
 * be empty: a required setting is never hidden.
 */
export function advanced<T extends z.ZodType>(schema: T): T {
  return schema.meta({ advanced: true });
}

export function uploadedFile<T extends z.ZodType>(schema: T, formats?: string[]): T {
  return schema.meta({ widget: "file" satisfies FormWidget, ...(formats ? { formats } : {}) });
}

/**
 * `columns` for a node whose table outputs carry its `rows` input's columns unchanged (filters,
 * dedupes, waits): `columns: sameColumns("rows", "rest")`.
 */
export function sameColumns<P extends string>(...outputs: P[]) {
  return ({ inputs }: { inputs: Partial<Record<string, Column[]>> }): Partial<Record<P, Column[]>> | undefined => {
    const rows = inputs.rows;
    return rows ? (Object.fromEntries(outputs.map((o) => [o, rows])) as Partial<Record<P, Column[]>>) : undefined;
  };
}
