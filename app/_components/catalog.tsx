// The node catalog, grouped by kind, one colour per kind.
import { NODE_KINDS, type NodeKind } from "@/nodes/sdk";
import type { CatalogEntry } from "./types";

// Literal class names, so Tailwind finds them.
const KIND: Record<NodeKind, { title: string; dot: string; text: string; tint: string; edge: string }> = {
  trigger: { title: "Triggers", dot: "bg-kind-trigger", text: "text-kind-trigger", tint: "bg-kind-trigger/10", edge: "border-l-kind-trigger" },
  source: { title: "Sources", dot: "bg-kind-source", text: "text-kind-source", tint: "bg-kind-source/10", edge: "border-l-kind-source" },
  transform: { title: "Transforms", dot: "bg-kind-transform", text: "text-kind-transform", tint: "bg-kind-transform/10", edge: "border-l-kind-transform" },
  model: { title: "Models", dot: "bg-kind-model", text: "text-kind-model", tint: "bg-kind-model/10", edge: "border-l-kind-model" },
  insight: { title: "Insights", dot: "bg-kind-insight", text: "text-kind-insight", tint: "bg-kind-insight/10", edge: "border-l-kind-insight" },
  action: { title: "Actions", dot: "bg-kind-action", text: "text-kind-action", tint: "bg-kind-action/10", edge: "border-l-kind-action" },
  control: { title: "Control", dot: "bg-kind-control", text: "text-kind-control", tint: "bg-kind-control/10", edge: "border-l-kind-control" },
};

function Ports({ label, ports }: { label: string; ports: CatalogEntry["inputs"] }) {
  if (!ports.length) return null;
  return (
    <div className="flex flex-wrap items-center gap-1">
      <span className="w-6 text-ink-muted">{label}</span>
      {ports.map((p) => (
        <span key={p.name} className="rounded bg-sunken px-1.5 py-0.5 font-mono text-[11px] text-ink-soft" title={p.label ?? p.name}>
          {p.name}
          {p.optional ? "?" : ""}: {p.type}
        </span>
      ))}
    </div>
  );
}

/** Kinds side by side, three to a row; each kind's nodes stacked under it. */

export function Catalog({ entries }: { entries: CatalogEntry[] }) {
  return (
    <div className="grid grid-cols-3 items-start gap-x-4 gap-y-7">
      {NODE_KINDS.filter((k) => entries.some((e) => e.kind === k)).map((kind) => (
        <div key={kind}>
          <h3 className="mb-2 flex items-center gap-2 text-xs font-semibold tracking-wide text-ink-soft uppercase">
            <span className={`size-2 rounded-full ${KIND[kind].dot}`} />
            {KIND[kind].title}
          </h3>
          <div className="space-y-3">
            {entries
              .filter((e) => e.kind === kind)
              .map((e) => (
                <article key={e.ref} className={`rounded-lg border border-l-4 border-line bg-surface p-4 ${KIND[kind].edge}`}>
                  <div className="flex items-baseline justify-between gap-2">
                    <h4 className="font-medium text-ink">{e.label}</h4>
                    <code className={`shrink-0 rounded px-1.5 py-0.5 text-[11px] ${KIND[kind].tint} ${KIND[kind].text}`}>{e.ref}</code>
                  </div>
                  <p className="mt-1.5 line-clamp-3 text-xs leading-relaxed text-ink-soft" title={e.description}>
                    {e.description}
                  </p>
                  <div className="mt-3 space-y-1 text-xs">
                    <Ports label="in" ports={e.inputs} />
                    <Ports label="out" ports={e.outputs} />
                  </div>
                </article>
              ))}
          </div>
        </div>
      ))}
    </div>
  );
}

