// Home: what is running (Temporal, workers, data), the recent runs and the node catalog.
import type { ReactNode } from "react";
import { NODE_KINDS, type NodeKind } from "@/nodes/sdk";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";

type Health = Awaited<ReturnType<typeof api.health.status>>;
type Temporal = Health["temporal"];
type Run = Awaited<ReturnType<typeof api.run.list>>[number];
type CatalogEntry = Awaited<ReturnType<typeof api.catalog.list>>[number];

const EXAMPLE = "npx loopwright run examples/flows/telco-churn.flow.json";

// Literal class names, so Tailwind finds them.
const KIND: Record<NodeKind, { title: string; dot: string; text: string; tint: string; edge: string }> = {
  source: { title: "Sources", dot: "bg-kind-source", text: "text-kind-source", tint: "bg-kind-source/10", edge: "border-l-kind-source" },
  transform: { title: "Transforms", dot: "bg-kind-transform", text: "text-kind-transform", tint: "bg-kind-transform/10", edge: "border-l-kind-transform" },
  model: { title: "Models", dot: "bg-kind-model", text: "text-kind-model", tint: "bg-kind-model/10", edge: "border-l-kind-model" },
  insight: { title: "Insights", dot: "bg-kind-insight", text: "text-kind-insight", tint: "bg-kind-insight/10", edge: "border-l-kind-insight" },
  action: { title: "Actions", dot: "bg-kind-action", text: "text-kind-action", tint: "bg-kind-action/10", edge: "border-l-kind-action" },
  control: { title: "Control", dot: "bg-kind-control", text: "text-kind-control", tint: "bg-kind-control/10", edge: "border-l-kind-control" },
};

const TONE = {
  good: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  bad: "bg-rose-50 text-rose-700 ring-rose-600/20",
  warn: "bg-amber-50 text-amber-800 ring-amber-600/25",
  busy: "bg-sky-50 text-sky-700 ring-sky-600/20",
  quiet: "bg-sunken text-ink-soft ring-line",
} as const;

const RUN_TONE: Record<Run["status"], keyof typeof TONE> = { queued: "quiet", running: "busy", succeeded: "good", failed: "bad", cancelled: "warn" };

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

function ago(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

const stamp = (ms: number) => new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });

function Badge({ tone, children }: { tone: keyof typeof TONE; children: ReactNode }) {
  return <span className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE[tone]}`}>{children}</span>;
}

function Card({ title, badge, children }: { title: string; badge?: ReactNode; children: ReactNode }) {
  return (
    <section className="flex flex-col rounded-xl border border-line bg-surface p-5 shadow-xs">
      <div className="mb-4 flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold text-ink">{title}</h2>
        {badge}
      </div>
      {children}
    </section>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[6.5rem_1fr] gap-3 py-1 text-sm">
      <dt className="text-ink-muted">{label}</dt>
      <dd className="min-w-0 break-words text-ink">{children}</dd>
    </div>
  );
}

function Problem({ children }: { children: ReactNode }) {
  return <p className="mt-3 rounded-lg bg-rose-50 px-3 py-2 font-mono text-xs leading-relaxed break-words text-rose-800">{children}</p>;
}

function Hint({ children }: { children: ReactNode }) {
  return <p className="mt-3 text-xs leading-relaxed text-ink-muted">{children}</p>;
}

function TemporalCard({ t }: { t: Temporal }) {
  return (
    <Card title="Temporal" badge={t.reachable ? <Badge tone="good">Reachable</Badge> : <Badge tone="bad">Unreachable</Badge>}>
      <dl>
        <Field label="Address">
          <code className="text-[13px]">{t.address}</code> <span className="text-xs text-ink-muted">{t.external ? "external" : "dev server"}</span>
        </Field>
        <Field label="Namespace">
          <code className="text-[13px]">{t.namespace}</code>
        </Field>
        {t.reachable && (
          <Field label="Server">
            {t.serverVersion ? `v${t.serverVersion}` : "unknown version"}
            {t.latencyMs !== undefined && <span className="text-ink-muted"> · {t.latencyMs} ms</span>}
          </Field>
        )}
      </dl>
      {!t.reachable && (
        <>
          <Problem>{t.error}</Problem>
          <Hint>
            {t.external ? (
              <>Check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the TLS settings.</>
            ) : (
              <>
                Start the dev server, a worker and this app together with <code className="text-ink-soft">npm start</code>.
              </>
            )}
          </Hint>
        </>
      )}
      {t.uiUrl && (
        <a href={t.uiUrl} target="_blank" rel="noreferrer" className="mt-auto pt-4 text-sm font-medium text-accent hover:underline">
          Open the Temporal UI ↗
        </a>
      )}
    </Card>
  );
}

function WorkersCard({ t }: { t: Temporal }) {
  const p = t.pollers;
  const identities = new Map<string, { types: string[]; seen?: number }>();
  for (const [type, list] of [["workflow", p?.workflow ?? []], ["activity", p?.activity ?? []]] as const) {
    for (const poller of list) {
      const entry = identities.get(poller.identity) ?? { types: [] };
      entry.types.push(type);
      entry.seen = Math.max(entry.seen ?? 0, poller.lastAccessTime ?? 0) || undefined;
      identities.set(poller.identity, entry);
    }
  }
  const badge = !t.reachable || !p ? (
    <Badge tone="quiet">Unknown</Badge>
  ) : identities.size ? (
    <Badge tone="good">{identities.size} polling</Badge>
  ) : (
    <Badge tone="warn">None polling</Badge>
  );
  return (
    <Card title="Workers" badge={badge}>
      <dl>
        <Field label="Task queue">
          <code className="text-[13px]">{t.taskQueue}</code>
        </Field>
        {p && !p.error && (
          <Field label="Pollers">
            {p.workflow.length} workflow · {p.activity.length} activity
          </Field>
        )}
      </dl>
      {!t.reachable && <Hint>Pollers are known once Temporal is reachable.</Hint>}
      {p?.error && <Problem>{p.error}</Problem>}
      {identities.size > 0 && (
        <ul className="mt-3 space-y-1.5">
          {[...identities].map(([identity, e]) => (
            <li key={identity} className="flex items-baseline justify-between gap-3 text-xs">
              <code className="truncate text-ink" title={identity}>
                {identity}
              </code>
              <span className="shrink-0 text-ink-muted">
                {e.types.join(" + ")}
                {e.seen ? ` · ${ago(e.seen, t.checkedAt)}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
      {t.reachable && p && !p.error && identities.size === 0 && (
        <Hint>
          No worker polls <code className="text-ink-soft">{t.taskQueue}</code>: runs wait in the queue until one does. Start one with{" "}
          <code className="text-ink-soft">npm run worker</code>.
        </Hint>
      )}
    </Card>
  );
}

function DataCard({ data }: { data: Health["data"] }) {
  const stats: [string, number][] = [
    ["Flows", data.counts.flows],
    ["Runs", data.counts.runs],
    ["Datasets", data.counts.datasets],
    ["Models", data.counts.models],
  ];
  return (
    <Card title="Data">
      <dl>
        <Field label="Directory">
          <code className="text-[13px] break-all">{data.dir}</code>
        </Field>
        <Field label="Database">
          <code className="text-[13px] break-all">{data.database.startsWith(data.dir) ? data.database.slice(data.dir.length + 1) : data.database}</code>
        </Field>
      </dl>
      <div className="mt-auto grid grid-cols-4 gap-2 pt-4">
        {stats.map(([label, n]) => (
          <div key={label} className="rounded-lg bg-sunken px-2 py-2 text-center">
            <div className="text-base font-semibold text-ink tabular-nums">{n.toLocaleString("en-US")}</div>
            <div className="text-[11px] text-ink-muted">{label}</div>
          </div>
        ))}
      </div>
    </Card>
  );
}

function Command({ children }: { children: string }) {
  return <pre className="mt-2 w-fit rounded-lg bg-ink px-4 py-2.5 font-mono text-sm text-canvas select-all">{children}</pre>;
}

/** What a first-time user does next; the Temporal step only while no worker is there to run anything. */
function EmptyRuns({ ready }: { ready: boolean }) {
  return (
    <div className="rounded-xl border border-dashed border-line bg-surface px-8 py-8">
      <h3 className="text-base font-semibold text-ink">No runs yet</h3>
      <ol className="mt-4 space-y-5 text-sm text-ink-soft">
        {!ready && (
          <li>
            <span className="font-medium text-ink">Start Temporal, a worker and this app</span> (from the project directory):
            <Command>npm start</Command>
          </li>
        )}
        <li>
          <span className="font-medium text-ink">Run the example:</span> it saves the Telco churn flow as version 1, runs it through Temporal
          and prints a summary. The run shows up here.
          <Command>{EXAMPLE}</Command>
        </li>
      </ol>
    </div>
  );
}

function RunsTable({ runs, now }: { runs: Run[]; now: number }) {
  return (
    <div className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-line bg-sunken/60 text-xs text-ink-muted">
          <tr>
            {["Status", "Flow", "Version", "Trigger", "Started", "Duration", "Nodes", ""].map((h, i) => (
              <th key={i} className="px-4 py-2.5 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {runs.map((r) => {
            const began = r.startedAt ?? r.createdAt;
            const took = r.finishedAt ? duration(r.finishedAt - began) : r.status === "running" ? `${duration(now - began)} so far` : "—";
            return (
              <tr key={r.id} className="align-top hover:bg-sunken/40">
                <td className="px-4 py-3">
                  <Badge tone={RUN_TONE[r.status]}>
                    {r.status === "running" && <span className="size-1.5 animate-pulse rounded-full bg-sky-500" />}
                    {r.status}
                  </Badge>
                </td>
                <td className="max-w-80 px-4 py-3">
                  <div className="font-medium text-ink">{r.flowName}</div>
                  <div className="font-mono text-xs text-ink-muted">{r.flowId}</div>
                  {r.error && (
                    <div className="mt-1 truncate text-xs text-rose-700" title={r.error}>
                      {r.error}
                    </div>
                  )}
                </td>
                <td className="px-4 py-3 tabular-nums text-ink-soft">v{r.flowVersion}</td>
                <td className="px-4 py-3 text-ink-soft">{r.triggerKind}</td>
                <td className="px-4 py-3 whitespace-nowrap text-ink-soft" title={stamp(began)}>
                  {ago(began, now)}
                </td>
                <td className="px-4 py-3 whitespace-nowrap tabular-nums text-ink-soft">{took}</td>
                <td className="px-4 py-3 whitespace-nowrap tabular-nums text-ink-soft">
                  {r.nodes.succeeded}/{r.nodes.total}
                  {r.nodes.failed > 0 && <span className="text-rose-700"> · {r.nodes.failed} failed</span>}
                </td>
                <td className="px-4 py-3 text-right whitespace-nowrap">
                  <a href={r.temporalUrl} target="_blank" rel="noreferrer" className="text-xs font-medium text-accent hover:underline" title={r.workflowId}>
                    Temporal ↗
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

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
function Catalog({ entries }: { entries: CatalogEntry[] }) {
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

export default async function HomePage() {
  const [health, runs, catalog] = await Promise.all([settle(api.health.status()), settle(api.run.list({ limit: 15 })), settle(api.catalog.list())]);
  const now = Date.now();
  const t = health.ok ? health.value.temporal : undefined;
  const ready = Boolean(t?.reachable && (t.pollers?.workflow.length ?? 0) > 0);

  return (
    <main className="mx-auto max-w-6xl space-y-10 px-6 py-8">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-ink">What is running</h1>
        <p className="mt-1 text-sm text-ink-muted">Checked {stamp(t?.checkedAt ?? now)}. Reload to check again.</p>
      </div>

      {health.ok ? (
        <div className="grid grid-cols-3 gap-4">
          <TemporalCard t={health.value.temporal} />
          <WorkersCard t={health.value.temporal} />
          <DataCard data={health.value.data} />
        </div>
      ) : (
        <Problem>Could not read the status: {health.error}</Problem>
      )}

      <section>
        <h2 className="mb-3 text-sm font-semibold text-ink">Recent runs</h2>
        {!runs.ok ? <Problem>Could not read the runs: {runs.error}</Problem> : runs.value.length ? <RunsTable runs={runs.value} now={now} /> : <EmptyRuns ready={ready} />}
      </section>

      <section>
        <div className="mb-3 flex items-baseline justify-between">
          <h2 className="text-sm font-semibold text-ink">Node catalog</h2>
          {catalog.ok && <span className="text-xs text-ink-muted">{catalog.value.length} node types</span>}
        </div>
        {catalog.ok ? <Catalog entries={catalog.value} /> : <Problem>Could not load the node catalog: {catalog.error}</Problem>}
      </section>
    </main>
  );
}
