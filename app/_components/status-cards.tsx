// The three status cards of the home page: Temporal, workers, data.
import type { Health, Temporal } from "./types";
import { Badge, Card, Field, Hint, Problem, ago } from "./ui";

export function TemporalCard({ t }: { t: Temporal }) {
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

export function WorkersCard({ t }: { t: Temporal }) {
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

export function DataCard({ data }: { data: Health["data"] }) {
  const stats: [string, number][] = [
    ["Flows", data.counts.flows],
    ["Runs", data.counts.runs],
    ["Datasets", data.counts.datasets],
    ["Models", data.counts.models],
  ];
  return (
    <Card title="Data">
      {data.dir !== null && data.database !== null ? (
        <dl>
          <Field label="Directory">
            <code className="text-[13px] break-all">{data.dir}</code>
          </Field>
          <Field label="Database">
            <code className="text-[13px] break-all">{data.database.startsWith(data.dir) ? data.database.slice(data.dir.length + 1) : data.database}</code>
          </Field>
        </dl>
      ) : (
        <p className="text-sm text-ink-muted">{data.databaseKind === "postgres" ? "PostgreSQL" : "SQLite"} store; where it lives is shown to admins.</p>
      )}
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

