"use client";
// Save, Run and Restore for the editor, with the notice each leaves in the toolbar. Save keeps a
// flow with problems as a draft (field text that is not a value included, as typed); Run refuses
// a draft (the server says why, by name); Restore saves an old version as the newest and loads it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { toGraph } from "../_lib/canvas-graph";
import { draftOpenedText, draftSavedText, metaOf } from "../_lib/draft-save";
import { nodeDisplayName, saveRefusal } from "../_lib/save-refusal";
import { hasUnsavedWork, useFlowStore } from "../_store/flow-store";
import { useCatalog } from "./catalog-context";
import type { Notice } from "./toolbar";

interface TrpcFailure {
  message: string;
  data?: { code?: string; problems?: { nodeId?: string; message: string }[] | null } | null;
}

export function useSaveRun({ onRunStarted }: { onRunStarted(runId: string): void }) {
  const trpc = useTRPC();
  const catalog = useCatalog();
  const queryClient = useQueryClient();
  const store = useFlowStore;
  const [notice, setNotice] = useState<Notice | null>(null);

  // A refused save's notice names the problems as they are now, and goes once they are fixed.
  const problems = useFlowStore((s) => s.problems);
  const problemNotice = notice?.problems === true;
  useEffect(() => {
    if (problemNotice && problems.length === 0) setNotice(null);
  }, [problemNotice, problems.length]);
  const nodeName = useCallback(
    (id: string) => {
      const n = store.getState().nodes.find((x) => x.id === id);
      return nodeDisplayName(id, n ? n.data.label || catalog.get(n.data.ref)?.label : undefined);
    },
    [catalog, store],
  );
  const refusedFor = problemNotice ? saveRefusal(problems, nodeName) : null;
  const shownNotice: Notice | null = notice && problemNotice ? (refusedFor ? { ...notice, text: `${refusedFor} Nodes with problems are marked in red.` } : null) : notice;

  // Opening a draft (or reloading one) says so at once, with what runs instead; a notice already
  // there (the save that made it) stays.
  const openedDraft = useFlowStore((s) => (s.saved.draftProblems > 0 && s.baseVersion > 0 ? `${s.flowId}@${s.baseVersion}` : null));
  useEffect(() => {
    if (!openedDraft) return;
    const s = store.getState();
    setNotice((prev) => prev ?? { tone: "warn", text: draftOpenedText(s.baseVersion, s.saved) });
  }, [openedDraft, store]);

  const save = useMutation(trpc.flow.save.mutationOptions());
  const start = useMutation(trpc.run.start.mutationOptions());
  const restore = useMutation(trpc.flow.restore.mutationOptions());
  const refreshVersions = useCallback(
    (flowId: string) => void queryClient.invalidateQueries({ queryKey: trpc.flow.versions.queryKey({ flowId }) }),
    [queryClient, trpc],
  );

  const failed = useCallback((err: unknown, flowId: string, what: string) => {
    const e = err as TrpcFailure;
    if (e.data?.problems?.length) {
      // Only a graph that cannot be kept even as a draft (no name) is refused for its problems.
      store.getState().setProblems(e.data.problems);
      setNotice({ tone: "bad", text: "Not saved.", problems: true });
    } else if (e.data?.code === "CONFLICT") {
      setNotice({ tone: "bad", text: e.message, action: { label: "Reload the latest version", href: `/flows/${flowId}` } });
    } else {
      setNotice({ tone: "bad", text: `${what}: ${e.message}` });
    }
  }, [store]);

  // One save at a time: a second Ctrl+S (or Run) while one is in flight waits for it, rather than
  // sending the same expectedVersion again and conflicting with itself.
  const saving = useRef<Promise<number | null> | null>(null);
  const saveOnce = useCallback(async (): Promise<number | null> => {
    // Field text that is not a value goes into the graph as typed: the draft keeps it.
    store.getState().commitDrafts();
    const s = store.getState();
    try {
      const saved = await save.mutateAsync({ graph: toGraph(s), flowId: s.flowId, expectedVersion: s.baseVersion, draft: true });
      const meta = metaOf(saved);
      store.getState().markSaved(saved.version, s, meta);
      refreshVersions(s.flowId);
      if (saved.problems) {
        store.getState().setProblems(saved.problems);
        setNotice({ tone: "warn", text: draftSavedText(saved.version, saved.created, saved.problems, nodeName, meta) });
      } else {
        setNotice({ tone: "good", text: saved.created ? `Saved as version ${saved.version}.` : `No changes since version ${saved.version}.` });
      }
      return saved.version;
    } catch (err) {
      failed(err, s.flowId, "Not saved");
      return null;
    }
  }, [failed, nodeName, refreshVersions, save, store]);
  const doSave = useCallback((): Promise<number | null> => (saving.current ??= saveOnce().finally(() => (saving.current = null))), [saveOnce]);

  /**
   * Saves if needed, then runs the saved version: all of it, or `upTo` and the nodes it needs; on a
   * sample of `sampleRows` rows per source when given (the server refuses one that would reach an action).
   */
  const runSaved = useCallback(async (upTo?: string, sampleRows?: number) => {
    const s = store.getState();
    const v = hasUnsavedWork(s) || s.baseVersion === 0 ? await doSave() : s.baseVersion;
    if (v === null) return;
    try {
      const started = await start.mutateAsync({ flowId: s.flowId, version: v, ...(upTo ? { upTo } : {}), ...(sampleRows ? { sample: { rows: sampleRows } } : {}) });
      onRunStarted(started.runId);
      const onSample = sampleRows ? ` on a sample of ${sampleRows.toLocaleString("en-US")} rows per source` : "";
      const what = upTo ? `Run up to ${nodeName(upTo)}${onSample} started on version ${v}.` : `Run${onSample} started on version ${v}.`;
      setNotice(
        started.workerPolling
          ? { tone: "busy", text: what, action: { label: "Open in Temporal UI", href: started.temporalUrl, external: true } }
          : { tone: "warn", text: "The run is queued, but no worker is polling the task queue: it starts when a worker does (npm start runs one)." },
      );
    } catch (err) {
      const e = err as TrpcFailure;
      // A draft: the server names the flow, the version and its first problems.
      setNotice({ tone: "bad", text: e.data?.code === "PRECONDITION_FAILED" ? `Not run. ${e.message}` : `Could not start the run: ${e.message}` });
    }
  }, [doSave, nodeName, onRunStarted, start, store]);
  const doRun = useCallback(() => runSaved(), [runSaved]);
  const doRunUpTo = useCallback((nodeId: string, sampleRows?: number) => runSaved(nodeId, sampleRows), [runSaved]);

  /** Saves version `version`'s graph as the newest version and opens it. True when it was. */
  const doRestore = useCallback(
    async (version: number): Promise<boolean> => {
      const s = store.getState();
      try {
        const saved = await restore.mutateAsync({ flowId: s.flowId, version, expectedVersion: s.baseVersion });
        const latest = await queryClient.fetchQuery({ ...trpc.flow.get.queryOptions({ flowId: s.flowId, version: saved.version }), staleTime: 0 });
        const meta = metaOf(latest);
        store.getState().load(s.flowId, latest.version, latest.graph, meta);
        if (latest.problems) store.getState().setProblems(latest.problems);
        refreshVersions(s.flowId);
        if (!saved.created) setNotice({ tone: "good", text: `Version ${saved.version} is already the same as version ${version}: nothing to restore.` });
        else if (saved.problems) setNotice({ tone: "warn", text: `Restored version ${version} as version ${saved.version}. ${draftSavedText(saved.version, true, saved.problems, nodeName, meta).replace(/^Saved as /, "It is ")}` });
        else setNotice({ tone: "good", text: `Restored version ${version} as version ${saved.version}.` });
        return true;
      } catch (err) {
        failed(err, s.flowId, "Not restored");
        return false;
      }
    },
    [failed, nodeName, queryClient, refreshVersions, restore, store, trpc],
  );

  return {
    notice: shownNotice,
    dismiss: () => setNotice(null),
    doSave,
    doRun,
    doRunUpTo,
    doRestore,
    saving: save.isPending || restore.isPending,
    starting: start.isPending,
  };
}
