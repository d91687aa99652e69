"use client";
// The flow editor: palette, canvas, settings panel and output preview around one zustand store.
// The I/O lives in hooks (./use-flow-io.ts: load, validate as the user edits, follow the run;
// ./use-save-run.ts: save and run); the store only holds state.
import "@xyflow/react/dist/style.css";
import { Background, ControlButton, Controls, MiniMap, ReactFlow, ReactFlowProvider, useNodesInitialized, useReactFlow, type FinalConnectionState, type IsValidConnection } from "@xyflow/react";
import { Map as MapIcon, Maximize } from "lucide-react";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import type { CatalogEntry } from "@/nodes/node-registry";
import type { FlowGraph } from "@/workflows/graph/schema";
import { autoLayout, canvasConnectionProblem, indexCatalog, NODE_WIDTH, type CanvasNode } from "../_lib/canvas-graph";
import type { SavedMeta } from "../_lib/draft-save";
import { hasUnsavedWork, useFlowStore } from "../_store/flow-store";
import { MAP_SIZE, useCanvasView } from "./canvas-view";
import { CatalogProvider, KIND, useCatalog } from "./catalog-context";
import { FlowNode } from "./flow-node";
import { HistoryDialog } from "./history-dialog";
import { LeaveGuard } from "./leave-guard";
import { LiveCountsProvider } from "./live-counts";
import { DRAG_TYPE, Palette, usePaletteFold } from "./palette";
import { PreviewPanel } from "./preview-panel";
import { useAnchoredPreview } from "./use-anchored-preview";
import { SidePanel } from "./side-panel";
import { Toolbar } from "./toolbar";
import { useFollowedRun, useLoadedFlow, useServerValidation } from "./use-flow-io";
import { useSaveRun } from "./use-save-run";

const nodeTypes = { lw: FlowNode };
// Fitting keeps the nodes clear of the controls and the minimap (canvas-view.ts).
// Redrawing the minimap on every pan frame costs a third of the frame time at 500 nodes
// (`npm run bench -- canvas`), so large flows open without it; the map button brings it back.
const MINIMAP_MAX_NODES = 200;

export interface EditorProps {
  flowId: string;
  version: number;
  graph: FlowGraph;
  /** Whether that version is a draft, and what runs meanwhile. */
  saved: SavedMeta;
  catalog: CatalogEntry[];
  latestRunId: string | null;
  /** The signed-in user is a viewer: the flow opens read-only (the server refuses saves and runs anyway). */
  readOnly: boolean;
}

export function Editor(props: EditorProps) {
  const catalog = useMemo(() => indexCatalog(props.catalog), [props.catalog]);
  return (
    <CatalogProvider catalog={catalog}>
      <ReactFlowProvider>
        <EditorInner {...props} />
      </ReactFlowProvider>
    </CatalogProvider>
  );
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)));
}

function EditorInner({ flowId, version, graph, saved, catalog: entries, latestRunId, readOnly }: EditorProps) {
  const catalog = useCatalog();
  const flow = useReactFlow<CanvasNode>();
  const pane = useRef<HTMLDivElement>(null);
  const store = useFlowStore;
  const [runId, setRunId] = useState<string | null>(latestRunId);
  // The output preview, opened next to what was clicked, inside the canvas column.
  const column = useRef<HTMLDivElement>(null);
  const { preview, previewAt, openPreview, closePreview } = useAnchoredPreview(column);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [showMap, setShowMap] = useState(graph.nodes.length <= MINIMAP_MAX_NODES);
  const [paletteFolded, foldPalette] = usePaletteFold();
  const [dragging, setDragging] = useState(false);
  const view = useCanvasView(pane, { map: showMap, dragging });
  const [fitted, setFitted] = useState(graph.nodes.length === 0);
  const nodesMeasured = useNodesInitialized();
  const nodeColor = useCallback((n: CanvasNode) => `var(--color-kind-${catalog.get(n.data.ref)?.kind ?? "control"})`, [catalog]);

  const { nodes, edges, revision, onNodesChange, onEdgesChange, connect, beginMove } = useFlowStore(
    useShallow((s) => ({ nodes: s.nodes, edges: s.edges, revision: s.revision, onNodesChange: s.onNodesChange, onEdgesChange: s.onEdgesChange, connect: s.connect, beginMove: s.beginMove })),
  );
  const selected = useFlowStore(useShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id)));
  // A saved flow is fitted once its nodes are measured, and shown from then on (after a second at
  // the latest, fitted or not).
  useEffect(() => {
    if (fitted || !nodesMeasured) return;
    view.fit();
    setFitted(true);
  }, [fitted, nodesMeasured, view]);
  useEffect(() => {
    const t = setTimeout(() => setFitted(true), 1000);
    return () => clearTimeout(t);
  }, []);
  const onNodeDragStart = useCallback(() => {
    setDragging(true);
    beginMove();
  }, [beginMove]);
  const onNodeDragStop = useCallback(() => setDragging(false), []);

  // Leaving with unsaved edits (or field text that is not a value yet) asks first: <LeaveGuard>.
  const unsaved = useFlowStore(hasUnsavedWork);
  const loaded = useLoadedFlow(flowId, version, graph, saved);
  useServerValidation(loaded, revision);
  const run = useFollowedRun(runId);



  const onRunStarted = useCallback((id: string) => {
    setRunId(id);
    closePreview();
  }, [closePreview]);
  const { notice, dismiss, doSave, doRun, doRunUpTo, doRestore, saving, starting } = useSaveRun({ onRunStarted });

  const addAtCentre = useCallback(
    (ref: string) => {
      const rect = pane.current?.getBoundingClientRect();
      const centre = flow.screenToFlowPosition({ x: (rect?.left ?? 0) + (rect?.width ?? 800) / 2, y: (rect?.top ?? 0) + (rect?.height ?? 600) / 2 });
      const n = store.getState().nodes.length % 6;
      store.getState().addNode(ref, { x: centre.x - NODE_WIDTH / 2 + n * 24, y: centre.y - 50 + n * 24 });
    },
    [flow, store],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const ref = e.dataTransfer.getData(DRAG_TYPE);
      if (!ref || !catalog.has(ref)) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      store.getState().addNode(ref, { x: p.x - NODE_WIDTH / 2, y: p.y - 24 });
    },
    [catalog, flow, store],
  );

  const isValidConnection: IsValidConnection = useCallback(
    (c) => {
      const s = store.getState();
      return canvasConnectionProblem(c, s.nodes, s.edges, catalog) === null;
    },
    [catalog, store],
  );

  // React Flow refuses an invalid connection silently; say why, where the user is looking.
  const onConnectEnd = useCallback(
    (_e: MouseEvent | TouchEvent, c: FinalConnectionState) => {
      if (c.isValid || !c.fromHandle || !c.toHandle) return;
      const s = store.getState();
      const reason =
        c.fromHandle.type === c.toHandle.type
          ? "Connect an output (right side of a node) to an input (left side of another node)"
          : canvasConnectionProblem(
              c.fromHandle.type === "source"
                ? { source: c.fromHandle.nodeId, sourceHandle: c.fromHandle.id, target: c.toHandle.nodeId, targetHandle: c.toHandle.id }
                : { source: c.toHandle.nodeId, sourceHandle: c.toHandle.id, target: c.fromHandle.nodeId, targetHandle: c.fromHandle.id },
              s.nodes,
              s.edges,
              catalog,
            );
      if (reason) setRefusal(reason);
    },
    [catalog, store],
  );
  useEffect(() => {
    if (!refusal) return;
    const t = setTimeout(() => setRefusal(null), 6000);
    return () => clearTimeout(t);
  }, [refusal]);

  const layout = useCallback(() => {
    const s = store.getState();
    store.getState().applyLayout(autoLayout(s.nodes, s.edges));
    requestAnimationFrame(() => view.fit(300));
  }, [view, store]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.metaKey || e.ctrlKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === "s") {
        e.preventDefault();
        if (!e.repeat) void doSave();
        return;
      }
      if (isTyping(e.target)) return;
      const s = store.getState();
      // Selected text (an error message, a preview cell) copies as text, the browser's way.
      const textSelected = window.getSelection()?.isCollapsed === false;
      if (key === "z" && !e.shiftKey) s.undo();
      else if ((key === "z" && e.shiftKey) || key === "y") s.redo();
      else if (key === "c" && !textSelected) {
        if (!s.copySelected()) return;
      } else if (key === "v" && !textSelected) {
        if (!s.paste()) return;
      } else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [doSave, store]);

  const onNodeClick = useCallback(
    (e: { currentTarget: EventTarget | null }, node: CanvasNode) => {
      const r = store.getState().nodeRuns[node.id];
      // Opened under (or above) the node clicked.
      if (r?.status === "succeeded" && r.outputs && Object.values(r.outputs).some((o) => o.kind === "table")) openPreview(node.id, e.currentTarget instanceof HTMLElement ? e.currentTarget : null);
    },
    [openPreview, store],
  );

  const only = selected.length === 1 ? selected[0]! : null;
  // The run shown was on a sample: said on the canvas, so its row counts are not taken for the whole data.
  const sampleRows = run.data?.run.trigger?.sample?.rows ?? null;

  return (
    <div className="flex h-[calc(100vh-3.5rem)] flex-col">
      <LeaveGuard active={unsaved} />
      <Toolbar run={run.data?.run ?? null} notice={notice} onDismiss={dismiss} onSave={doSave} onRun={doRun} onLayout={layout} onHistory={() => setHistoryOpen(true)} saving={saving} starting={starting} readOnly={readOnly} />
      <HistoryDialog open={historyOpen} onClose={() => setHistoryOpen(false)} onRestore={doRestore} readOnly={readOnly} />
      <div className="flex min-h-0 flex-1">
        <Palette entries={entries} onAdd={addAtCentre} folded={paletteFolded} onFold={foldPalette} />
        <div ref={column} className="relative flex min-w-0 flex-1 flex-col">
          <div ref={pane} className="relative min-h-0 flex-1" onDragOver={(e) => (e.preventDefault(), (e.dataTransfer.dropEffect = "move"))} onDrop={onDrop}>
            {loaded && (
              <LiveCountsProvider flowId={flowId} refresh={run.data?.run.status}>
                <ReactFlow<CanvasNode>
                  nodes={nodes}
                  edges={edges}
                  nodeTypes={nodeTypes}
                  onNodesChange={onNodesChange}
                  onEdgesChange={onEdgesChange}
                  onConnect={connect}
                  onConnectEnd={onConnectEnd}
                  isValidConnection={isValidConnection}
                  onNodeDragStart={onNodeDragStart}
                  onNodeDragStop={onNodeDragStop}
                  onNodeClick={onNodeClick}
                  deleteKeyCode={["Backspace", "Delete"]}
                  defaultEdgeOptions={{ style: { strokeWidth: 1.75 } }}
                  // A saved flow shows once fitted; an empty one keeps its view, so the first node stays where it is dropped.
                  style={fitted ? undefined : { opacity: 0 }}
                  minZoom={0.1}
                  proOptions={{ hideAttribution: true }}
                >
                  <Background gap={20} size={1.2} className="!bg-canvas" />
                  <Controls position="bottom-left" showFitView={false}>
                    <ControlButton onClick={() => view.fit(200)} aria-label="Fit view" title="Fit view">
                      <Maximize aria-hidden />
                    </ControlButton>
                    <ControlButton onClick={() => setShowMap((v) => !v)} aria-label={showMap ? "Hide minimap" : "Show minimap"} title={showMap ? "Hide minimap" : "Show minimap"}>
                      <MapIcon aria-hidden />
                    </ControlButton>
                  </Controls>
                  {showMap && <MiniMap<CanvasNode> position="bottom-right" pannable zoomable nodeColor={nodeColor} style={MAP_SIZE} className="!rounded-lg !border !border-line" />}
                </ReactFlow>
              </LiveCountsProvider>
            )}
            {loaded && nodes.length === 0 && <EmptyCanvas />}
            {refusal && (
              <div role="alert" className="absolute top-3 left-1/2 z-10 max-w-xl -translate-x-1/2 rounded-lg border border-rose-200 bg-rose-50 px-4 py-2 text-sm text-rose-800 shadow-md">
                {refusal}
              </div>
            )}
          </div>
          {sampleRows !== null && (
            <p role="note" className="pointer-events-none absolute top-3 left-3 z-10 rounded-full border border-amber-200 bg-amber-50 px-3 py-1 text-xs font-medium text-amber-900 shadow-xs">
              Sample run: {sampleRows.toLocaleString("en-US")} rows per source
            </p>
          )}
          {preview && previewAt && runId && (
            <PreviewPanel key={`${runId}/${preview.nodeId}/${preview.opening}`} runId={runId} nodeId={preview.nodeId} place={previewAt} opener={preview.opener} onClose={closePreview} />
          )}
        </div>
        {only && <SidePanel key={only} nodeId={only} onPreview={openPreview} onRunUpTo={readOnly || starting ? undefined : doRunUpTo} onClose={() => store.getState().select(null)} />}
      </div>
    </div>
  );
}

function EmptyCanvas() {
  const S = KIND.source;
  return (
    <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
      <div className="max-w-sm rounded-2xl border-2 border-dashed border-line bg-surface/80 px-8 py-7 text-center backdrop-blur-sm">
        <span className={`mx-auto flex size-10 items-center justify-center rounded-xl ${S.bg} text-white`}>
          <S.icon className="size-5" aria-hidden />
        </span>
        <h2 className="mt-3 text-base font-semibold text-ink">Drag a source here to start</h2>
        <p className="mt-1 text-sm text-ink-muted">Pick a node from the palette on the left, drop it here, then connect its output to the next step.</p>
      </div>
    </div>
  );
}
