"use client";
// An upload trigger's panel: upload a file to the node's drop from here (what the CLI's
// `upload --drop` does), and the saved flow runs on it.
import { Upload } from "lucide-react";
import { useRef, useState, type ChangeEvent } from "react";
import { ACCEPT, uploadFile } from "@/app/_components/upload-client";
import { useFlowStore } from "../_store/flow-store";

export function DropPanel({ nodeId }: { nodeId: string }) {
  const drop = useFlowStore((s) => (s.nodes.find((n) => n.id === nodeId)?.data.config as { drop?: string } | undefined)?.drop ?? "");
  const picker = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<{ busy?: string; done?: string; problem?: string }>({});

  async function onPick(e: ChangeEvent<HTMLInputElement>) {
    const input = e.currentTarget;
    const file = input.files?.[0];
    input.value = "";
    if (!file || !drop) return;
    setState({ busy: `Uploading ${file.name}…` });
    try {
      const up = await uploadFile(file, undefined, { drop });
      const n = up.startsFlows?.length ?? 0;
      setState({ done: n ? `${up.name} is in "${drop}": it starts ${n === 1 ? "this flow" : `${n} flows`} (see Runs).` : `${up.name} is in "${drop}", but no saved flow listens to it yet: save this flow first.` });
    } catch (err) {
      setState({ problem: err instanceof Error ? err.message : `${file.name} could not be uploaded` });
    }
  }

  return (
    <section aria-label="Drop" className="space-y-2 rounded-lg border border-line bg-canvas p-3 text-xs">
      <p className="text-ink-soft">
        Files uploaded to <span className="font-mono text-ink">{drop || "(name the drop below)"}</span> start this flow. From a script:{" "}
        <code className="font-mono text-[11px] text-ink">loopwright upload file.csv --drop {drop || "<name>"}</code>
      </p>
      <input ref={picker} type="file" accept={ACCEPT} className="hidden" onChange={onPick} aria-label="File to upload to the drop" />
      <button
        type="button"
        disabled={!drop || Boolean(state.busy)}
        onClick={() => picker.current?.click()}
        className="inline-flex h-8 items-center gap-1.5 rounded-md border border-line bg-surface px-3 font-medium text-ink hover:bg-sunken disabled:opacity-50"
      >
        <Upload className="size-3.5" aria-hidden />
        Upload a file to this drop
      </button>
      {state.busy && <p className="text-ink-muted">{state.busy}</p>}
      {state.done && <p role="status" className="text-emerald-800">{state.done}</p>}
      {state.problem && <p role="alert" className="break-words text-rose-700">{state.problem}</p>}
    </section>
  );
}
