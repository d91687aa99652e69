"use client";
// The selected node: its name, the last run's result (status, error, metrics, preview), and its
// settings as a form generated from the node's JSON Schema, with the server's problems per field.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { FlaskConical, Maximize2, Play, Table2, Trash2, X } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { CHARTED } from "@/app/_components/charts";
import { Metrics } from "@/app/_components/metrics";
import { Dialog } from "@/app/flows/_components/dialog";
import { StatusBadge } from "@/app/_components/status-badge";
import { duration } from "@/app/_components/ui";
import { nodeName } from "@/lib/node-name";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { useFlowStore, type EditorProblem } from "../_store/flow-store";
import { KIND, useCatalog } from "./catalog-context";
import { ConfigForm } from "./config-form";
import { TriggerPanel } from "./trigger-panel";

const NO_PROBLEMS: EditorProblem[] = [];
/** Rows per source for "Run up to here on a sample" (the server's default too). */
const SAMPLE_ROWS = 1000;

/**
 * Problems by config field, as the form wants them (the "field: " prefix of config messages
 * dropped). A draft's problem is left out: its field shows it already, next to the text.
 */
function fieldErrors(problems: EditorProblem[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of problems) {
    if (p.draft) continue;
    const field = p.field && p.field !== "config" ? p.field : "";
    const message = field && p.message.startsWith(`${field}: `) ? p.message.slice(field.length + 2) : p.message;
    (out[field] ??= []).push(message);
  }
  return out;
}

/**
 * The columns of every node's outputs that are known before a run (columns.of), for the graph as
 * it is in the editor now; asked again when a node, setting or connection changes, not on moves.
 */
function useColumnsBeforeRun(): Record<string, Record<string, { name: string; type: string }[]>> | undefined {
  const client = useTRPCClient();
  const shape = useFlowStore((s) =>
    JSON.stringify({
      nodes: s.nodes.map((n) => ({ id: n.id, type: n.data.ref, config: n.data.config })),
      edges: s.edges.map((e) => ({ source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle })),
    }),
  );
  // Typing in a field changes the shape at every key: ask once the typing pauses.
  const [asked, setAsked] = useState(shape);
  useEffect(() => {
    const t = setTimeout(() => setAsked(shape), 400);
    return () => clearTimeout(t);
  }, [shape]);
  const known = useQuery({
    queryKey: ["columns-before-run", asked],
    queryFn: () => client.columns.of.mutate({ graph: JSON.parse(asked) }),
    staleTime: 60_000,
    retry: false,
    placeholderData: (previous) => previous,
  });
  return known.data;
}

export function SidePanel({
  nodeId,
  onPreview,
  onRunUpTo,
  onClose,
}: {
  nodeId: string;
  /** Opens the node's output next to `opener` (the button clicked). */
  onPreview(nodeId: string, opener: HTMLElement): void;
  /** Runs the node and what it needs: on all the data, or on a sample of `sampleRows` rows per source. */
  onRunUpTo?: (nodeId: string, sampleRows?: number) => void;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const node = useFlowStore((s) => s.nodes.find((n) => n.id === nodeId));
  const problems = useFlowStore((s) => s.problemsByNode[nodeId] ?? NO_PROBLEMS);
  const run = useFlowStore((s) => s.nodeRuns[nodeId]);
  const upstream = useFlowStore(useShallow((s) => s.edges.filter((e) => e.target === nodeId).map((e) => `${e.source}\u0000${e.sourceHandle ?? ""}`)));
  const nodeRuns = useFlowStore((s) => s.nodeRuns);
  const updateNode = useFlowStore((s) => s.updateNode);
  const drafts = useFlowStore((s) => s.drafts[nodeId]);
  const setDraft = useFlowStore((s) => s.setDraft);
  const deleteSelected = useFlowStore((s) => s.deleteSelected);
  const entry = useCatalog().get(node?.data.ref ?? "");
  const name = nodeName({ id: nodeId, label: node?.data.label }, entry?.label);
  const flowId = useFlowStore((s) => s.flowId);
  const files = useQuery(trpc.dataset.files.queryOptions());
  const [wide, setWide] = useState(false);

  const known = useColumnsBeforeRun();

  // Columns of the upstream datasets, so column fields can offer them: from the last run, else as
  // the server works them out without running (the file's schema, carried through the nodes).
  const columns = useMemo(() => {
    const seen = new Map<string, { name: string; type: string }>();
    for (const key of upstream) {
      const [source, handle] = key.split("\u0000") as [string, string];
      const ran = nodeRuns[source]?.outputs?.[handle]?.columns;
      for (const c of ran?.length ? ran : (known?.[source]?.[handle] ?? [])) if (!seen.has(c.name)) seen.set(c.name, c);
    }
    return seen.size ? [...seen.values()] : undefined;
  }, [upstream, nodeRuns, known]);

  if (!node) return null;
  // The formats the node's upload field reads (a CSV source offers CSV uploads only).
  const uploadFormats = Object.values((entry?.configSchema.properties ?? {}) as Record<string, { widget?: string; formats?: string[] }>).find((p) => p.widget === "file")?.formats;
  const kind = KIND[entry?.kind ?? "control"];
  const Icon = kind.icon;
  const hasTable = Boolean(run?.outputs && Object.values(run.outputs).some((o) => o.kind === "table"));

  return (
    <aside aria-label="Node settings" className="flex w-80 shrink-0 flex-col border-l border-line bg-surface 2xl:w-[360px]">
      <div className="flex items-start gap-2.5 border-b border-line px-4 py-3">
        <span className={`mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-md ${kind.bg} text-white`}>
          <Icon className="size-4" aria-hidden />
        </span>
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-sm font-semibold text-ink">{name}</h2>
          <p className="truncate text-[11px] text-ink-muted first-letter:uppercase" title={`${nodeId} · ${node.data.ref}`}>
            {node.data.label && entry ? entry.label : (entry?.kind ?? node.data.ref)}
          </p>
        </div>
        <button type="button" onClick={deleteSelected} aria-label="Delete node" title="Delete node (Del)" className="rounded-md p-1.5 text-ink-muted hover:bg-rose-50 hover:text-rose-700">
          <Trash2 className="size-4" />
        </button>
        <button type="button" onClick={onClose} aria-label="Close settings" className="rounded-md p-1.5 text-ink-muted hover:bg-sunken hover:text-ink">
          <X className="size-4" />
        </button>
      </div>

      <div className="flex-1 space-y-5 overflow-y-auto px-4 py-4">
        {entry && <p className="text-xs leading-relaxed text-ink-soft">{entry.description}</p>}

        {run && (
          <section aria-label="Last run" className="space-y-3 rounded-lg border border-line bg-canvas p-3">
            <div className="flex items-center justify-between gap-2 text-xs text-ink-soft">
              <StatusBadge status={run.status} />
              <span className="tabular-nums">
                {run.rows !== null && `${run.rows.toLocaleString("en-US")} rows`}
                {run.startedAt && run.finishedAt ? ` · ${duration(run.finishedAt - run.startedAt)}` : ""}
                {run.attempt > 1 ? ` · attempt ${run.attempt}` : ""}
              </span>
            </div>
            {run.progress?.message && run.status === "running" && <p className="text-xs text-ink-muted">{run.progress.message}</p>}
            {run.error && <p className="rounded-md bg-rose-50 px-2.5 py-2 font-mono text-[11px] leading-relaxed break-words text-rose-800">{run.error}</p>}
            {run.metrics && Object.keys(run.metrics).length > 0 && <Metrics metrics={run.metrics} />}
            {run.metrics && Object.keys(run.metrics).some((k) => CHARTED.has(k)) && (
              <button
                type="button"
                onClick={() => setWide(true)}
                className="inline-flex h-8 items-center gap-1.5 rounded-md border border-line bg-surface px-3 text-xs font-medium text-ink hover:bg-sunken"
              >
                <Maximize2 className="size-3.5" aria-hidden />
                Open full width
              </button>
            )}
            {hasTable && (
              <button
                type="button"
                onClick={(e) => onPreview(nodeId, e.currentTarget)}
                className="inline-flex h-8 items-center gap-1.5 rounded-md border border-line bg-surface px-3 text-xs font-medium text-ink hover:bg-sunken"
              >
                <Table2 className="size-3.5" aria-hidden />
                Preview output
              </button>
            )}
          </section>
        )}

        <Dialog open={wide} wide title={`${name}: results`} onClose={() => setWide(false)}>
          <div className="mt-3">{run?.metrics && <Metrics metrics={run.metrics} />}</div>
        </Dialog>

        {onRunUpTo && entry?.kind !== "trigger" && (
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              onClick={() => onRunUpTo(nodeId)}
              title="Saves if needed, then runs this node and the nodes it needs, nothing after it"
              className="inline-flex h-8 items-center gap-1.5 rounded-md border border-line bg-surface px-3 text-xs font-medium text-ink hover:bg-sunken"
            >
              <Play className="size-3.5" aria-hidden />
              Run up to here
            </button>
            <button
              type="button"
              onClick={() => onRunUpTo(nodeId, SAMPLE_ROWS)}
              aria-label={`Run up to here on a sample of ${SAMPLE_ROWS.toLocaleString("en-US")} rows`}
              title={`The same, on ${SAMPLE_ROWS.toLocaleString("en-US")} rows picked from each source (the same rows each time): quicker to try. It never sends anything to customers, and a model it trains is kept apart.`}
              className="inline-flex h-8 items-center gap-1.5 rounded-md border border-line bg-surface px-3 text-xs font-medium text-ink hover:bg-sunken"
            >
              <FlaskConical className="size-3.5" aria-hidden />
              On a sample of {SAMPLE_ROWS.toLocaleString("en-US")} rows
            </button>
          </div>
        )}

        {(entry?.kind === "trigger" || entry?.type === "action.send-email") && <TriggerPanel flowId={flowId} nodeId={nodeId} type={entry.type} />}

        <section aria-label="Settings">
          <h3 className="mb-3 text-xs font-semibold tracking-wide text-ink-muted uppercase">Settings</h3>
          {entry ? (
            <ConfigForm
              nodeId={nodeId}
              schema={entry.configSchema}
              value={node.data.config}
              onChange={(config) => updateNode(nodeId, { config })}
              drafts={drafts}
              onDraft={(path, draft) => setDraft(nodeId, path, draft)}
              errors={fieldErrors(problems)}
              columns={columns}
              files={files.data?.filter((f) => !uploadFormats || (f.format !== null && uploadFormats.includes(f.format))).map((f) => ({ id: f.id, name: f.name, rows: f.rows ?? null }))}
              onUploaded={() => void queryClient.invalidateQueries({ queryKey: trpc.dataset.files.queryKey() })}
            />
          ) : (
            <p className="text-xs text-rose-700">This node type is not installed on the server, so it cannot be configured or run.</p>
          )}
        </section>
      </div>
    </aside>
  );
}
