// Home: start from a question (the template gallery), continue a recent flow, or make a new one;
// with the few figures that matter and one line on whether runs can run. The engineer's status
// board is the admin page /admin/status.
import { Plus } from "lucide-react";
import Link from "next/link";
import { api } from "@/trpc/server";
import { TemplateGallery } from "./_components/template-gallery";
import { Badge, Problem, ago, settle, type TONE } from "./_components/ui";

export const dynamic = "force-dynamic";

const RUN_TONE: Record<string, keyof typeof TONE> = { queued: "quiet", running: "busy", succeeded: "good", failed: "bad", cancelled: "warn" };
const count = (n: number) => n.toLocaleString("en-GB");

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="rounded-xl border border-line bg-surface px-4 py-3 shadow-xs">
      <dt className="text-xs text-ink-muted">{label}</dt>
      <dd className="mt-1 text-xl font-semibold text-ink tabular-nums">{value}</dd>
      {note && <dd className="text-xs text-ink-muted">{note}</dd>}
    </div>
  );
}

export default async function HomePage() {
  const [templates, flows, figures, health, me] = await Promise.all([
    settle(api.template.list()),
    settle(api.flow.list()),
    settle(api.overview.figures({ days: 7 })),
    settle(api.health.status()),
    settle(api.account.me()),
  ]);
  const now = Date.now();
  const t = health.ok ? health.value.temporal : undefined;
  const workers = t?.pollers?.workflow.length ?? 0;
  const admin = me.ok && me.value?.role === "admin";
  const running = t?.reachable && workers > 0;
  const recent = flows.ok ? flows.value.slice(0, 5) : [];

  return (
    <main className="mx-auto max-w-6xl space-y-8 px-6 py-8 min-[1536px]:max-w-7xl">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Start from a question</h1>
          <p className="mt-1 text-sm text-ink-muted">Each one is a ready flow on sample data: open it and it runs; then change it for your own data.</p>
        </div>
        <Link href="/flows?new=1" className="inline-flex items-center gap-1.5 rounded-lg border border-line bg-surface px-3 py-1.5 text-sm font-medium text-ink-soft hover:bg-sunken hover:text-ink">
          <Plus className="size-4" aria-hidden="true" />
          New blank flow
        </Link>
      </div>

      <p role="status" aria-label="Can runs run" className="flex items-center gap-2 text-sm text-ink-soft">
        {running ? (
          <Badge tone="good">Ready</Badge>
        ) : (
          <Badge tone="bad">{t?.reachable ? "No worker" : "Not running"}</Badge>
        )}
        {running
          ? "Everything is running: flows run as soon as you start them."
          : t?.reachable
            ? "No worker is running, so runs wait until one starts (npm start starts one)."
            : "The run engine does not answer, so flows cannot run now. Start everything with npm start."}
        {admin && (
          <Link href="/admin/status" className="text-accent hover:underline">
            Status
          </Link>
        )}
      </p>

      {figures.ok ? (
        <dl className="grid grid-cols-4 gap-4" aria-label="Last 7 days">
          <Figure label="Runs, last 7 days" value={count(figures.value.runs.started)} note={figures.value.runs.failed ? `${count(figures.value.runs.failed)} failed` : "none failed"} />
          <Figure label="Customers reached, last 7 days" value={count(figures.value.customersReached)} note="e-mails, webhooks and syncs sent" />
          <Figure label="Flows running now" value={count(figures.value.liveFlows)} note="journeys hold customers while they run" />
          <Figure label="Customers waiting for an event" value={count(figures.value.waitingForEvent)} />
        </dl>
      ) : (
        <Problem>Could not read the figures: {figures.error}</Problem>
      )}

      <section aria-labelledby="templates-title">
        <h2 id="templates-title" className="mb-3 text-sm font-semibold text-ink">
          Templates
        </h2>
        {templates.ok ? <TemplateGallery templates={templates.value.map((x) => ({ ...x }))} /> : <Problem>Could not load the templates: {templates.error}</Problem>}
      </section>

      <section aria-labelledby="recent-title">
        <div className="mb-3 flex items-baseline justify-between">
          <h2 id="recent-title" className="text-sm font-semibold text-ink">
            Continue where you left off
          </h2>
          <Link href="/flows" className="text-xs text-accent hover:underline">
            All flows
          </Link>
        </div>
        {!flows.ok ? (
          <Problem>Could not read the flows: {flows.error}</Problem>
        ) : recent.length === 0 ? (
          <p className="rounded-xl border border-dashed border-line bg-surface px-5 py-6 text-sm text-ink-soft">No flows yet: open a template above, or make a blank flow.</p>
        ) : (
          <ul className="divide-y divide-line overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
            {recent.map((f) => (
              <li key={f.id}>
                <Link href={`/flows/${f.id}`} className="flex items-center justify-between gap-4 px-4 py-2.5 text-sm hover:bg-sunken/60">
                  <span className="min-w-0 truncate font-medium text-ink">{f.name}</span>
                  <span className="flex shrink-0 items-center gap-3 text-xs text-ink-muted">
                    {f.lastRun ? <Badge tone={RUN_TONE[f.lastRun.status] ?? "quiet"}>last run {f.lastRun.status}</Badge> : <span>not run yet</span>}
                    <span>edited {ago(f.updatedAt, now)}</span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}
