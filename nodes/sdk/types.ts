import type { z } from "zod";
import type { NodeContext } from "./context";

// The node context and its services are in context.ts; re-exported here for every importer.
export * from "./context";

export type NodeKind = "trigger" | "source" | "transform" | "model" | "insight" | "action" | "control";
export const NODE_KINDS: readonly NodeKind[] = ["trigger", "source", "transform", "model", "insight", "action", "control"];

/** What flows along an edge. A connection is allowed only between ports of the same type. */
export type PortType = "table" | "model";

export type PortSpec = PortType | { type: PortType; label?: string; optional?: boolean };

export interface Column {
  name: string;
  /** DuckDB type name, e.g. VARCHAR, BIGINT, DOUBLE, DATE. */
  type: string;
}

/** A column to add to a dataset: one number per row (null or NaN for none). */
export interface NewColumn extends Column {
  values: ArrayLike<number | null>;
  /** The numbers are indexes into these labels: row value i becomes labels[i], cast to `type`. */
  labels?: readonly string[];
}

/** An immutable Parquet dataset in the store, passed between nodes by reference. */
export interface DatasetRef {
  kind: "table";
  /** Content address: the same rows in the same order give the same id. */
  id: string;
  /** Path of the Parquet file relative to the data directory. */
  path: string;
  rows: number;
  columns: Column[];
}

/** A trained model version in the registry. */
export interface ModelRef {
  kind: "model";
  id: string;
  name: string;
  version: number;
}

export type ValueRef = DatasetRef | ModelRef;

export type InputRefs<I extends Record<string, PortSpec>> = {
  [K in keyof I]: RefOf<I[K]> | (I[K] extends { optional: true } ? undefined : never);
};
type RefOf<P> = P extends "table" | { type: "table" } ? DatasetRef : P extends "model" | { type: "model" } ? ModelRef : never;

export interface NodeResult<O extends Record<string, PortSpec> = Record<string, PortSpec>> {
  outputs: { [K in keyof O]?: RefOf<O[K]> };
  /** Figures to show on the node and the run page (small, JSON-serialisable). */
  metrics?: Record<string, unknown>;
  /**
   * Journey steps only: the node holds its customers. The rest of the graph runs later, for each
   * released part as a run of its own (the outputs above are empty then).
   */
  hold?: Hold;
  /**
   * Rows this node puts off (e.g. e-mails that would land in quiet hours): it runs again for each
   * part, at its time, with the part as its input, in a run of its own (and what follows it too).
   */
  defer?: Defer;
}

export type Defer = { at: number; label: string; inputs: Record<string, DatasetRef> }[];

/**
 * How a journey step holds its customers: in parts released at set times (wait), or until each
 * customer's event or a deadline (wait for event: the node is called again with `ctx.journey.phase`
 * "released" for those whose event came, and "timed out" at the deadline, and outputs that part).
 */
export type Hold =
  | { kind: "timer"; parts: { at: number; label: string; outputs: Record<string, DatasetRef> }[] }
  | { kind: "event"; deadline: number; customers: number; ports: { released: string; timedOut: string } };

/** Per-node Temporal activity settings; a node definition or a graph node may override the kind defaults. */
export interface ActivitySettings {
  startToCloseTimeout?: string;
  heartbeatTimeout?: string;
  maximumAttempts?: number;
  initialInterval?: string;
  backoffCoefficient?: number;
  maximumInterval?: string;
}

export interface NodeDefinition<
  C extends z.ZodType = z.ZodType,
  I extends Record<string, PortSpec> = Record<string, PortSpec>,
  O extends Record<string, PortSpec> = Record<string, PortSpec>,
> {
  /** Dotted id, `<kind>.<name>`, e.g. `transform.dedupe`. Saved graphs refer to `type@version`. */
  type: string;
  /** A breaking change to config or ports is a new version; saved graphs keep the old one. */
  version: number;
  kind: NodeKind;
  label: string;
  description: string;
  inputs: I;
  outputs: O;
  config: C;
  activity?: ActivitySettings;
  run(args: { config: z.output<C>; inputs: InputRefs<I>; ctx: NodeContext }): Promise<NodeResult<O>>;
  /**
   * The columns of the table outputs, worked out from the config and the input columns without
   * running (so the editor can offer them before any run). Pure and quick; leave an output out (or
   * the method undefined) when it cannot be known ahead. Inputs not known yet are absent.
   */
  columns?(args: { config: z.output<C>; inputs: Partial<Record<keyof I & string, Column[]>> }): Partial<Record<keyof O & string, Column[]>> | undefined;
}
