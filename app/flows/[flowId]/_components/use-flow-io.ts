"use client";
// The editor's talk with the server, apart from save and run (./use-save-run.ts): loading the flow
// into the store, validating a moment after each edit, and following the run shown on the canvas.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/trpc/react";
import type { FlowGraph } from "@/workflows/graph/schema";
import { isFinished } from "@/workflows/graph/status";
import { toGraph } from "../_lib/canvas-graph";
import { metaOf, type SavedMeta } from "../_lib/draft-save";
import { useFlowStore, type NodeRunView } from "../_store/flow-store";

const VALIDATE_DEBOUNCE_MS = 350;

/** Puts the page's flow into the store; true once it is there. */
export function useLoadedFlow(flowId: string, version: number, graph: FlowGraph, saved: SavedMeta): boolean {
  const trpc = useTRPC();
  const store = useFlowStore;
  const [loaded, setLoaded] = useState(false);
  // Back/forward navigation can hand us page data older than what this tab has saved since: keep
  // the newer state, and check the server for a version saved elsewhere meanwhile.
  const queryClient = useQueryClient();
  useEffect(() => {
    const cur = store.getState();
    if (cur.flowId !== flowId || cur.baseVersion < version) cur.load(flowId, version, graph, saved);
    setLoaded(true);
    let live = true;
    queryClient.fetchQuery({ ...trpc.flow.get.queryOptions({ flowId }), staleTime: 0 }).then(
      (latest) => {
        const s = store.getState();
        if (live && s.flowId === flowId && !s.dirty && latest.version > s.baseVersion) s.load(flowId, latest.version, latest.graph, metaOf(latest));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [store, flowId, version, graph, saved, queryClient, trpc]);
  return loaded;
}

/** Validates on the server (the same validator as save and run) a moment after each edit. */
export function useServerValidation(loaded: boolean, revision: number): void {
  const trpc = useTRPC();
  const store = useFlowStore;
  const validate = useMutation(trpc.flow.validate.mutationOptions());
  const validateRef = useRef(validate.mutateAsync);
  validateRef.current = validate.mutateAsync;
  useEffect(() => {
    if (!loaded) return;
    const timer = setTimeout(() => {
      const s = store.getState();
      const at = s.revision;
      validateRef.current({ graph: toGraph(s) }).then(
        (r) => store.getState().revision === at && store.getState().setProblems(r.problems),
        () => undefined, // a failed check is not a problem of the flow; the next edit checks again
      );
    }, VALIDATE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [loaded, revision, store]);
}

/** Follows the run every second until it finishes, and puts each node's status into the store. */
export function useFollowedRun(runId: string | null) {
  const trpc = useTRPC();
  const store = useFlowStore;
  const run = useQuery({
    ...trpc.run.get.queryOptions({ runId: runId ?? "" }),
    enabled: Boolean(runId),
    refetchInterval: (q) => (q.state.status === "error" || (q.state.data && isFinished(q.state.data.run.status)) ? false : 1000),
  });
  useEffect(() => {
    if (!run.data) return;
    const views: Record<string, NodeRunView> = {};
    for (const n of run.data.nodes) {
      views[n.nodeId] = {
        status: n.status,
        rows: n.rows,
        startedAt: n.startedAt,
        finishedAt: n.finishedAt,
        error: n.error,
        attempt: n.attempt,
        progress: (n.progress as NodeRunView["progress"]) ?? null,
        metrics: (n.metrics as NodeRunView["metrics"]) ?? null,
        outputs: (n.outputs as NodeRunView["outputs"]) ?? null,
      };
    }
    store.getState().setNodeRuns(views);
  }, [run.data, store]);
  return run;
}
