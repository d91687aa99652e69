// Admin > Status: what is running (Temporal, workers, data directory), the recent runs and the node
// catalog. It was the start page; marketers start from the home page's questions instead.
import type { Metadata } from "next";
import { api } from "@/trpc/server";
import { Catalog } from "../../_components/catalog";
import { EmptyRuns, RunsTable } from "../../_components/runs";
import { DataCard, TemporalCard, WorkersCard } from "../../_components/status-cards";
import { Problem, settle, stamp } from "../../_components/ui";
import { AdminGate } from "../_components/admin-gate";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Status" };

export default function StatusPage() {
  return <AdminGate path="/admin/status">{() => <Status />}</AdminGate>;
}

async function Status() {
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
