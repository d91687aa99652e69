// A set of node definitions by `type@version`, and the catalog (plain JSON) the UI draws from.
import { z } from "zod";
import { portOptional, portType, type NodeDefinition, type NodeKind, type PortType } from "./sdk";
import type { NodeLookup } from "../workflows/graph/validate";

export class NodeRegistry implements NodeLookup {
  private readonly byKey = new Map<string, NodeDefinition>();

  constructor(defs: readonly NodeDefinition[] = []) {
    for (const def of defs) this.add(def);
  }

  add(def: NodeDefinition): void {
    const key = `${def.type}@${def.version}`;
    if (this.byKey.has(key)) throw new Error(`Node ${key} is registered twice`);
    this.byKey.set(key, def);
  }

  get(type: string, version: number): NodeDefinition | undefined {
    return this.byKey.get(`${type}@${version}`);
  }

  versions(type: string): number[] {
    return [...this.byKey.values()].filter((d) => d.type === type).map((d) => d.version).sort((a, b) => a - b);
  }

  all(): NodeDefinition[] {
    return [...this.byKey.values()];
  }

  /** Plain JSON for the browser: no functions, no zod objects. */
  catalog(): CatalogEntry[] {
    return this.all().map((d) => ({
      type: d.type,
      version: d.version,
      ref: `${d.type}@${d.version}`,
      kind: d.kind,
      label: d.label,
      description: d.description,
      inputs: Object.entries(d.inputs).map(([name, spec]) => ({ name, type: portType(spec), optional: portOptional(spec), label: typeof spec === "string" ? undefined : spec.label })),
      outputs: Object.entries(d.outputs).map(([name, spec]) => ({ name, type: portType(spec), optional: false, label: typeof spec === "string" ? undefined : spec.label })),
      configSchema: z.toJSONSchema(d.config, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
    }));
  }
}

export interface CatalogPort {
  name: string;
  type: PortType;
  optional: boolean;
  label?: string;
}

export interface CatalogEntry {
  type: string;
  version: number;
  ref: string;
  kind: NodeKind;
  label: string;
  description: string;
  inputs: CatalogPort[];
  outputs: CatalogPort[];
  configSchema: Record<string, unknown>;
}

