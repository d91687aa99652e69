// The columns of each node's table outputs, known without running, so column fields can offer
// them from the moment a file is chosen: a file source's columns come from the upload's recorded
// schema or from DuckDB describing the file; every other node says what it outputs from its config
// and its input columns (its `columns` method). Unknown stays unknown (absent), never guessed. The
// graph may be a draft: nodes whose settings do not parse yet are skipped with what depends on them.
import { stat } from "node:fs/promises";
import path from "node:path";
import { files, type Store } from "../../db/store";
import { resolveFlowPath } from "../../lib/flow-paths";
import { dataDir, sharedDir } from "../../lib/paths";
import type { NodeRegistry } from "../../nodes/registry";
import type { Column } from "../../nodes/sdk/types";
import { parseTypeRef } from "../../workflows/graph/schema";
import { topoOrder } from "../../workflows/graph/topo";
import { queryUpload } from "./uploads";

export interface LooseGraph {
  nodes: { id: string; type: string; config?: unknown }[];
  edges: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }[];
}

export type GraphColumns = Record<string, Record<string, Column[]>>;

/** Files described lately, by path, size and modification time (a changed file is described again). */
const described = new Map<string, Column[]>();
const DESCRIBED_KEPT = 64;

const FILE_SOURCES = new Set(["source.csv-file", "source.json-file", "source.parquet-file"]);

/** Settings under which the CSV reader's own detection gives the node's columns. */
function plainCsv(c: Record<string, unknown>): boolean {
  return !c.delimiter && c.header !== false && !c.skipRows && (c.encoding ?? "utf-8") === "utf-8";
}

async function fileColumns(store: Store, type: string, config: Record<string, unknown>): Promise<Column[] | undefined> {
  if (typeof config.fileId === "string" && config.fileId) {
    const row = await files.get(store, config.fileId).catch(() => null);
    return row?.columns ?? undefined;
  }
  if (typeof config.path !== "string" || !config.path) return undefined;
  if (type === "source.csv-file" && !plainCsv(config)) return undefined;
  let file: string;
  try {
    file = resolveFlowPath(config.path, dataDir(), sharedDir());
  } catch {
    return undefined; // The node's own check says why, on save and on run.
  }
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return undefined; // Missing: the run says so.
  const key = `${type}\u0000${file}\u0000${info.size}\u0000${info.mtimeMs}`;
  const hit = described.get(key);
  if (hit) return hit;
  const source = type === "source.parquet-file" ? () => `read_parquet('${file.replaceAll("'", "''")}')` : undefined;
  try {
    const [rows] = await queryUpload(dataDir(), file, path.basename(file), (src) => [`DESCRIBE SELECT * FROM ${source?.() ?? src}`]);
    const cols = rows!.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    if (described.size >= DESCRIBED_KEPT) described.delete(described.keys().next().value!);
    described.set(key, cols);
    return cols;
  } catch {
    return undefined; // Unreadable: the run says so, with the line.
  }
}

export async function graphColumns(store: Store, registry: NodeRegistry, graph: LooseGraph): Promise<GraphColumns> {
  const known: GraphColumns = {};
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  // Cycles are left out (with what they feed): the save says what is wrong.
  for (const id of topoOrder(graph.nodes, graph.edges).order) {
    const node = byId.get(id)!;
    const ref = parseTypeRef(node.type);
    const def = ref ? registry.get(ref.type, ref.version) : undefined;
    if (!def) continue; // Not installed: the save says so.
    const raw = (node.config ?? {}) as Record<string, unknown>;
    if (FILE_SOURCES.has(def.type)) {
      const cols = await fileColumns(store, def.type, raw);
      if (cols) known[id] = { rows: cols };
      continue;
    }
    if (!def.columns) continue;
    const parsed = def.config.safeParse(raw);
    if (!parsed.success) continue;
    const inputs: Record<string, Column[]> = {};
    for (const e of graph.edges) {
      if (e.target !== id) continue;
      const cols = known[e.source]?.[e.sourceHandle ?? "rows"];
      if (cols) inputs[e.targetHandle ?? "rows"] = cols;
    }
    const out = def.columns({ config: parsed.data, inputs });
    const ports = Object.fromEntries(Object.entries(out ?? {}).filter((e): e is [string, Column[]] => Array.isArray(e[1])));
    if (Object.keys(ports).length) known[id] = ports;
  }
  return known;
}
