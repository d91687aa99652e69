// A node's metrics as readable figures: the headline scores first, then the counts and settings,
// confusion matrices as tables, and nested metrics (e.g. the training figures) as sub-sections.
// Metrics are whatever a node returned, so anything unknown is still shown, with a humanised name.
import type { ReactNode } from "react";
import { TableHead } from "./chart-parts";
import { CHARTED, MetricCharts } from "./charts";
import { labelWord, readings, type Reading } from "./readings";

type Value = unknown;

/** Shown apart from the list of figures: which rows were measured, problems to look at, the other class. */
const APART = new Set(["measuredOn", "warnings", "negativeLabel"]);

const TONE: Record<Reading["tone"], string> = { good: "text-emerald-700", bad: "text-rose-700", neutral: "text-ink-soft", warn: "font-medium text-amber-800" };

/** Scores shown as tiles, in this order, when present. */
const HEADLINE = ["rocAuc", "accuracy", "precision", "recall", "f1"] as const;
const PERCENT = new Set(["accuracy", "precision", "recall", "f1", "positiveRate", "share", "shares"]);

const LABEL: Record<string, string> = {
  rocAuc: "ROC AUC",
  f1: "F1 score",
  positiveRate: "Positive rate",
  positiveLabel: "Positive label",
  trainRows: "Training rows",
  testRows: "Test rows",
  trainSeconds: "Training time",
  trainingError: "Training error",
  trainingMetrics: "Training metrics",
  modelVersion: "Model version",
  inputs: "Input width",
};

/** "evaluatedRows" -> "Evaluated rows", "skipped_columns" -> "Skipped columns". */
export function humanise(key: string): string {
  if (LABEL[key]) return LABEL[key];
  const words = key
    .replace(/[_-]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const count = new Intl.NumberFormat("en-US");
const decimal = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });

function isConfusion(v: Value): v is { tp: number; fp: number; tn: number; fn: number } {
  return typeof v === "object" && v !== null && ["tp", "fp", "tn", "fn"].every((k) => typeof (v as Record<string, unknown>)[k] === "number");
}

/** A list of flat records (k-means tries, segment centres): shown as a table rather than as JSON. */
function isRecordList(v: Value): v is Record<string, unknown>[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((r) => typeof r === "object" && r !== null && !Array.isArray(r) && Object.values(r).every((x) => x === null || ["number", "string", "boolean"].includes(typeof x)))
  );
}

function RecordTable({ title, records }: { title: string; records: Record<string, unknown>[] }) {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return (
    <table className="w-full text-left text-xs" aria-label={title}>
      <caption className="mb-1.5 text-left text-xs font-medium text-ink-soft">{title}</caption>
      <TableHead headings={keys.map(humanise)} />
      <tbody className="tabular-nums text-ink">
        {records.map((r, i) => (
          <tr key={i} className="border-t border-line/70">
            {keys.map((k) => (
              <td key={k} className="py-1 pr-3">
                {formatMetric(k, r[k])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A confusion matrix of three or more classes: rows are the actual classes, columns the predicted ones. */
function isMatrix(v: Value): v is { labels: string[]; matrix: number[][] } {
  if (typeof v !== "object" || v === null) return false;
  const { labels, matrix } = v as Record<string, unknown>;
  return (
    Array.isArray(labels) &&
    Array.isArray(matrix) &&
    matrix.length === labels.length &&
    matrix.every((row) => Array.isArray(row) && row.length === labels.length && row.every((n) => typeof n === "number"))
  );
}

const isRecord = (v: Value): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** One figure as text. `null` for a score means it could not be computed (e.g. one class only). */
export function formatMetric(key: string, value: Value): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "—";
    if (key === "rocAuc") return value.toFixed(3);
    if (PERCENT.has(key)) return `${(value * 100).toFixed(1)}%`;
    if (/seconds$/i.test(key)) return `${decimal.format(value)} s`;
    return Number.isInteger(value) ? count.format(value) : decimal.format(value);
  }
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return key === "positiveLabel" || key === "negativeLabel" ? labelWord(value) : value;
  if (Array.isArray(value) && PERCENT.has(key) && value.every((v) => typeof v === "number")) return value.map((v) => formatMetric(key, v)).join(", ");
  if (Array.isArray(value)) return value.length ? value.map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v))).join(", ") : "none";
  return JSON.stringify(value);
}

function ConfusionMatrix({ labels, matrix }: { labels: string[]; matrix: number[][] }) {
  return (
    <table className="w-auto border-collapse text-xs" aria-label="Confusion matrix">
      <caption className="mb-1.5 text-left text-xs font-medium text-ink-soft">Confusion matrix (rows: actual, columns: predicted)</caption>
      <thead>
        <tr className="text-ink-muted">
          <td />
          {labels.map((l) => (
            <th key={l} scope="col" className="px-3 py-1 text-right font-medium">
              {labelWord(String(l))}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="[&_td]:border [&_td]:border-line">
        {matrix.map((row, i) => {
          const total = row.reduce((a, b) => a + b, 0);
          return (
            <tr key={i}>
              <th scope="row" className="py-1.5 pr-3 text-left font-medium text-ink-muted">
                {labelWord(String(labels[i]))}
              </th>
              {row.map((n, j) => (
                <td
                  key={j}
                  className={`px-3 py-1.5 text-right tabular-nums ${i === j ? "font-medium text-ink" : "text-ink-soft"}`}
                  style={total ? { backgroundColor: `color-mix(in oklch, var(--color-accent) ${Math.round((n / total) * 30)}%, transparent)` } : undefined}
                  title={total ? `${((n / total) * 100).toFixed(1)}% of actual ${labelWord(String(labels[i]))}` : undefined}
                >
                  {count.format(n)}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The two-class matrix, its rows and columns named by the data's labels (true/false read as Yes/No). */
function Confusion({ c, positiveLabel, negativeLabel }: { c: { tp: number; fp: number; tn: number; fn: number }; positiveLabel?: string; negativeLabel?: string }) {
  const pos = positiveLabel ? `“${labelWord(positiveLabel)}”` : "positive";
  const neg = negativeLabel ? `“${labelWord(negativeLabel)}”` : positiveLabel ? `not “${labelWord(positiveLabel)}”` : "negative";
  const cell = (n: number, good: boolean) => <td className={`px-3 py-1.5 text-right tabular-nums ${good ? "font-medium text-ink" : "text-ink-soft"}`}>{count.format(n)}</td>;
  return (
    <table className="w-auto border-collapse text-xs">
      <caption className="mb-1.5 text-left text-xs font-medium text-ink-soft">Confusion matrix</caption>
      <thead>
        <tr className="text-ink-muted">
          <td />
          <th scope="col" className="px-3 py-1 text-right font-medium">
            Predicted {pos}
          </th>
          <th scope="col" className="px-3 py-1 text-right font-medium">
            Predicted {neg}
          </th>
        </tr>
      </thead>
      <tbody className="[&_td]:border [&_td]:border-line">
        <tr>
          <th scope="row" className="py-1.5 pr-3 text-left font-medium text-ink-muted">
            Actual {pos}
          </th>
          {cell(c.tp, true)}
          {cell(c.fn, false)}
        </tr>
        <tr>
          <th scope="row" className="py-1.5 pr-3 text-left font-medium text-ink-muted">
            Actual {neg}
          </th>
          {cell(c.fp, false)}
          {cell(c.tn, true)}
        </tr>
      </tbody>
    </table>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="border-t border-line pt-3">
      <h4 className="mb-2 text-xs font-semibold text-ink-soft">{title}</h4>
      {children}
    </section>
  );
}

export function Metrics({ metrics }: { metrics: Record<string, unknown> | null | undefined }) {
  if (!metrics || !Object.keys(metrics).length) return null;
  const entries = Object.entries(metrics);
  const headline = HEADLINE.filter((k) => k in metrics);
  const confusion = entries.filter(([, v]) => isConfusion(v));
  const matrices = entries.filter(([, v]) => isMatrix(v));
  const nested = entries.filter(([k, v]) => isRecord(v) && !isConfusion(v) && !isMatrix(v) && !CHARTED.has(k));
  const lists = entries.filter(([k, v]) => isRecordList(v) && !CHARTED.has(k));
  const plain = entries.filter(([k, v]) => !(HEADLINE as readonly string[]).includes(k) && !APART.has(k) && !isRecord(v) && !isRecordList(v) && !CHARTED.has(k));
  const positiveLabel = typeof metrics.positiveLabel === "string" ? metrics.positiveLabel : undefined;
  const negativeLabel = typeof metrics.negativeLabel === "string" ? metrics.negativeLabel : undefined;
  const measuredOn = typeof metrics.measuredOn === "string" ? metrics.measuredOn : undefined;
  const warnings = Array.isArray(metrics.warnings) ? metrics.warnings.filter((w): w is string => typeof w === "string") : [];
  const read = readings(metrics);

  return (
    <div className="space-y-3 text-sm">
      {warnings.length > 0 && (
        <ul className="space-y-1 rounded-lg bg-amber-50 px-3 py-2 text-xs text-ink ring-1 ring-amber-600/25 ring-inset" aria-label="Warnings">
          {warnings.map((w) => (
            <li key={w}>
              <span className="font-semibold text-amber-800">Check: </span>
              {w}
            </li>
          ))}
        </ul>
      )}
      {measuredOn && <p className="text-xs text-ink-soft">Measured on {measuredOn}</p>}
      {headline.length > 0 && (
        <dl className="grid grid-cols-[repeat(auto-fill,minmax(6.5rem,1fr))] gap-2">
          {headline.map((k) => {
            const r = read[k as keyof typeof read];
            return (
              <div key={k} className={`rounded-lg bg-sunken px-3 py-2 ${r ? "col-span-2" : ""}`}>
                <dt className="text-xs text-ink-muted">{humanise(k)}</dt>
                <dd className="mt-0.5 text-base font-semibold tabular-nums text-ink">{formatMetric(k, metrics[k])}</dd>
                {r && <dd className={`mt-0.5 text-xs leading-snug ${TONE[r.tone]}`}>{r.text}</dd>}
              </div>
            );
          })}
        </dl>
      )}
      {plain.length > 0 && (
        <dl className="grid grid-cols-[repeat(auto-fill,minmax(13rem,1fr))] gap-x-6">
          {plain.map(([k, v]) => (
            <div key={k} className="flex items-baseline justify-between gap-3 border-b border-line/70 py-1.5 text-xs">
              <dt className="text-ink-muted">{humanise(k)}</dt>
              <dd className="min-w-0 truncate text-right tabular-nums text-ink" title={formatMetric(k, v)}>
                {formatMetric(k, v)}
              </dd>
            </div>
          ))}
        </dl>
      )}
      <MetricCharts metrics={metrics} />
      {confusion.map(([k, v]) => (
        <div key={k} className="overflow-x-auto">
          <Confusion c={v as { tp: number; fp: number; tn: number; fn: number }} positiveLabel={positiveLabel} negativeLabel={negativeLabel} />
        </div>
      ))}
      {lists.map(([k, v]) => (
        <div key={k} className="overflow-x-auto">
          <RecordTable title={humanise(k)} records={v as Record<string, unknown>[]} />
        </div>
      ))}
      {matrices.map(([k, v]) => (
        <div key={k} className="overflow-x-auto">
          <ConfusionMatrix {...(v as { labels: string[]; matrix: number[][] })} />
        </div>
      ))}
      {nested.map(([k, v]) => (
        <Section key={k} title={humanise(k)}>
          <Metrics metrics={v as Record<string, unknown>} />
        </Section>
      ))}
    </div>
  );
}
