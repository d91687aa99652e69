// One model name: the scores of the version in use at a glance, then every version in a table,
// newest first, with its status and the buttons that change it.
import { Brain } from "lucide-react";
import Link from "next/link";
import type { ModelStatus } from "@/nodes/sdk/types";
import type { ModelGroup, ModelVersion } from "@/server/api/routers/model";
import { Badge, stamp, type TONE } from "@/app/_components/ui";
import { typeTitle, typeWord } from "@/app/_components/type-words";
import { labelWord, readRocAuc } from "@/app/_components/readings";
import { ActionProblem, ModelActions, VersionActions } from "./model-actions";

/** The figures worth a column, in this order; a column shows only when some version has it. */
const FIGURES = [
  { key: "rocAuc", label: "ROC AUC", format: (v: number) => v.toFixed(3) },
  { key: "accuracy", label: "Accuracy", format: (v: number) => `${(v * 100).toFixed(1)}%` },
  { key: "precision", label: "Precision", format: (v: number) => `${(v * 100).toFixed(1)}%` },
  { key: "recall", label: "Recall", format: (v: number) => `${(v * 100).toFixed(1)}%` },
  { key: "trainRows", label: "Training rows", format: (v: number) => v.toLocaleString("en-US") },
] as const;

type Figure = (typeof FIGURES)[number];

const value = (v: ModelVersion, f: Figure) => {
  const x = v.metrics[f.key];
  return typeof x === "number" && Number.isFinite(x) ? x : undefined;
};

/** A score present but null could not be computed (a test split with one class only). */
function shown(v: ModelVersion, f: Figure): string {
  const x = value(v, f);
  return x === undefined ? "—" : f.format(x);
}

const KIND_LABEL: Record<string, string> = {
  "binary-classifier/brainjs": "Yes/no classifier (neural network)",
  "binary-classifier/logistic": "Yes/no classifier (logistic regression)",
  "classifier/brainjs": "Classifier (neural network)",
  "classifier/logistic": "Classifier (logistic regression)",
  "segmentation/kmeans": "Segments (k-means)",
  "text-classifier/naive-bayes": "Text classifier (naive Bayes)",
};

const STATUS: Record<ModelStatus, { label: string; tone: keyof typeof TONE; title: string }> = {
  current: { label: "Current", tone: "good", title: "Flows that score by this model's name use this version" },
  candidate: { label: "Candidate", tone: "busy", title: "Used only where a flow pins this version" },
  archived: { label: "Archived", tone: "quiet", title: "Kept for the record; used only where a flow pins this version" },
};

export function StatusBadge({ status }: { status: ModelStatus }) {
  const s = STATUS[status];
  return (
    <span title={s.title}>
      <Badge tone={s.tone}>{s.label}</Badge>
    </span>
  );
}

/** The columns a version needs to score, folded away: a model can read dozens. */
function Inputs({ version: v }: { version: ModelVersion }) {
  const cols = v.inputSchema;
  if (!cols?.length) return <span className="text-xs text-ink-muted">—</span>;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-ink-soft hover:text-ink">
        {cols.length} {cols.length === 1 ? "column" : "columns"}
      </summary>
      <ul className="mt-1 space-y-0.5" aria-label={`Input columns of version ${v.version}`}>
        {cols.map((c) => (
          <li key={c.name} className="font-mono">
            {c.name}
            {c.type && (
              <span className="ml-1.5 font-sans text-ink-muted" title={typeTitle(c.type)}>
                {typeWord(c.type)}
              </span>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function EmptyModels() {
  return (
    <div className="rounded-xl border border-dashed border-line bg-surface px-8 py-8">
      <h2 className="text-base font-semibold text-ink">No models yet</h2>
      <p className="mt-1.5 text-sm text-ink-soft">
        Add a Train classifier node to a flow and run it. Each run saves a new version here, with its ROC AUC, accuracy, precision and recall on
        held-out rows.
      </p>
    </div>
  );
}

/** What the model predicts, in words, from what its training recorded; null when it did not say. */
export function predicts(v: ModelVersion): string | null {
  const m = v.metrics;
  const target = typeof m.target === "string" ? m.target : null;
  if (target && typeof m.positiveLabel === "string") return `whether ${target} is “${labelWord(m.positiveLabel)}”`;
  if (target && Array.isArray(m.classes)) return `${target} (${m.classes.length} values: ${m.classes.slice(0, 4).map((c) => labelWord(String(c))).join(", ")}${m.classes.length > 4 ? ", …" : ""})`;
  if (target) return target;
  if (Array.isArray(m.columns) && typeof m.k === "number") return `${m.k} segments by ${m.columns.join(", ")}`;
  return null;
}

export function ModelCard({ model }: { model: ModelGroup }) {
  const latest = model.versions[0]!;
  // The headline shows what scoring by name uses; the newest version only when every one is archived.
  const inUse = model.versions.find((v) => v.version === model.inUse);
  const shownVersion = inUse ?? latest;
  // A key present as null (ROC AUC of a one-class test split) still earns its column, shown as "—".
  const figures = FIGURES.filter((f) => model.versions.some((v) => f.key in v.metrics));
  const headline = figures.filter((f) => f.key !== "trainRows" && value(shownVersion, f) !== undefined);
  return (
    <ModelActions name={model.name}>
      <section aria-labelledby={`model-${model.name}`} className="relative overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
        <div className="flex items-start justify-between gap-6 px-5 py-4">
          <div className="flex min-w-0 items-center gap-3">
            <div className="grid size-9 shrink-0 place-items-center rounded-lg bg-kind-model/10 text-kind-model">
              <Brain className="size-5" aria-hidden="true" />
            </div>
            <div className="min-w-0">
              <h2 id={`model-${model.name}`} className="truncate text-sm font-semibold text-ink">
                {model.name}
              </h2>
              <p className="mt-0.5 text-xs text-ink-muted">
                {KIND_LABEL[model.kind] ?? model.kind} · {model.versions.length} {model.versions.length === 1 ? "version" : "versions"} ·{" "}
                {inUse ? `in use v${inUse.version}` : "every version archived"} · latest v{latest.version}, {stamp(latest.createdAt)}
              </p>
              {(predicts(shownVersion) || shownVersion.flowId) && (
                <p className="mt-0.5 text-xs text-ink-soft">
                  {predicts(shownVersion) && <>Predicts {predicts(shownVersion)}</>}
                  {predicts(shownVersion) && shownVersion.flowId && " · "}
                  {shownVersion.flowId && (
                    <>
                      trained by{" "}
                      <Link href={`/flows/${encodeURIComponent(shownVersion.flowId)}`} className="font-medium text-accent hover:underline">
                        {shownVersion.flowName ?? shownVersion.flowId}
                      </Link>
                    </>
                  )}
                </p>
              )}
            </div>
          </div>
          {headline.length > 0 && (
            <dl className="flex shrink-0 gap-6">
              {headline.map((f) => (
                <div key={f.key} className="text-right">
                  <dt className="text-xs text-ink-muted">
                    {f.label} <span className="sr-only">of version {shownVersion.version}</span>
                  </dt>
                  <dd className="text-lg font-semibold tabular-nums text-ink" title={f.key === "rocAuc" && value(shownVersion, f) !== undefined ? readRocAuc(value(shownVersion, f)!).text : undefined}>
                    {shown(shownVersion, f)}
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </div>
        <ActionProblem />
        {/* A wide table scrolls sideways in its own box, never the page; the box takes keyboard focus so it scrolls without a mouse.
            It is `relative` so the table's screen-reader-only texts (absolutely positioned) are placed in it and clipped with it:
            otherwise they sit at the table's far right, outside the box, and widen the page. */}
        <div className="relative overflow-x-auto border-t border-line" role="region" aria-label={`Versions of ${model.name}, all columns`} tabIndex={0}>
          <table className="w-full text-left text-sm" aria-label={`Versions of ${model.name}`}>
            <thead className="bg-sunken/60 text-xs text-ink-muted">
              <tr>
                <th className="px-5 py-2 font-medium">Version</th>
                <th className="px-4 py-2 font-medium">Status</th>
                <th className="px-4 py-2 font-medium">Trained</th>
                {figures.map((f) => (
                  <th key={f.key} className="px-4 py-2 text-right font-medium">
                    {f.label}
                  </th>
                ))}
                <th className="px-4 py-2 font-medium">Inputs</th>
                <th className="px-4 py-2 font-medium">Training data</th>
                <th className="px-4 py-2 text-right font-medium">Run</th>
                <th className="px-5 py-2 text-right font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {model.versions.map((v) => (
                <tr key={v.id} className={`align-top hover:bg-sunken/40 ${v.status === "archived" ? "text-ink-muted" : ""}`}>
                  <td className="px-5 py-2.5 whitespace-nowrap">
                    <span className="font-medium tabular-nums text-ink">v{v.version}</span>
                  </td>
                  <td className="px-4 py-2.5 whitespace-nowrap">
                    <StatusBadge status={v.status} />
                  </td>
                  <td className="min-w-36 px-4 py-2.5 text-ink-soft">{stamp(v.createdAt)}</td>
                  {figures.map((f) => (
                    <td key={f.key} className="px-4 py-2.5 text-right tabular-nums text-ink-soft">
                      {shown(v, f)}
                    </td>
                  ))}
                  <td className="px-4 py-2.5">
                    <Inputs version={v} />
                  </td>
                  <td className="px-4 py-2.5 whitespace-nowrap">
                    {v.datasetId ? (
                      <span className="font-mono text-xs text-ink-soft" title={`Dataset ${v.datasetId}`}>
                        {v.datasetId.slice(0, 12)}
                      </span>
                    ) : (
                      <span className="text-xs text-ink-muted">—</span>
                    )}
                  </td>
                  <td className="px-4 py-2.5 text-right whitespace-nowrap">
                    {v.runId ? (
                      <>
                        {v.nodeId && <span className="block font-mono text-xs text-ink-muted">{v.nodeId}</span>}
                        <Link href={`/runs/${encodeURIComponent(v.runId)}`} className="font-mono text-xs font-medium text-accent hover:underline" title={`Run ${v.runId}`}>
                          {v.runId.slice(0, 8)}
                        </Link>
                      </>
                    ) : (
                      <span className="text-xs text-ink-muted">—</span>
                    )}
                  </td>
                  <td className="px-5 py-2 text-right whitespace-nowrap">
                    <VersionActions version={v.version} status={v.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </ModelActions>
  );
}
