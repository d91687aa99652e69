// The status of a run or a node run, the same everywhere (lists, run page, editor).
import type { NodeStatus } from "@/workflows/graph/status";
import { Badge, type TONE } from "./ui";

/** A run's or a node's status (a run is never "skipped"). */
export type RunStatus = NodeStatus;

// Literal class names, so Tailwind finds them.
const STATUS: Record<NodeStatus, { tone: keyof typeof TONE; dot: string }> = {
  queued: { tone: "quiet", dot: "bg-ink-muted" },
  running: { tone: "busy", dot: "bg-sky-500 animate-pulse motion-reduce:animate-none" },
  succeeded: { tone: "good", dot: "bg-emerald-500" },
  failed: { tone: "bad", dot: "bg-rose-500" },
  skipped: { tone: "quiet", dot: "bg-ink-muted/50" },
  cancelled: { tone: "warn", dot: "bg-amber-500" },
  waiting: { tone: "busy", dot: "bg-violet-500" },
};

export function StatusBadge({ status }: { status: RunStatus }) {
  const s = STATUS[status] ?? STATUS.queued;
  return (
    <Badge tone={s.tone}>
      <span aria-hidden="true" className={`size-1.5 shrink-0 rounded-full ${s.dot}`} />
      {status}
    </Badge>
  );
}
