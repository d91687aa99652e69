"use client";
// One customer: who they are (details, the ids they are known by, consent and time zone), which
// flows they were in, and what they did (their most recent events).
import { useQuery } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { TABLE } from "@/app/account/_components/forms";
import { LocalTime, useInBrowser } from "@/app/account/_components/local-time";
import { Badge, Card, Hint, Problem } from "@/app/_components/ui";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { Decisions, FlowRuns } from "./customer-actions";
import { customerLabel } from "./customers-view";

type Customer = RouterOutputs["customer"]["get"];
type TimelineEvent = Customer["timeline"][number];

const Muted = ({ children }: { children: ReactNode }) => <span className="text-ink-muted">{children}</span>;

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-ink-muted">{label}</dt>
      <dd className="mt-0.5 truncate text-sm text-ink tabular-nums">{children}</dd>
    </div>
  );
}

function traitText(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The customer's current time in their time zone, once in the browser. */
function TheirTime({ zone }: { zone: string }) {
  const inBrowser = useInBrowser();
  if (!inBrowser) return null;
  try {
    const t = new Date().toLocaleString("en-GB", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit" });
    return <span className="text-ink-muted">(for them it is now {t})</span>;
  } catch {
    return null;
  }
}

function ConsentAndZone({ c }: { c: Customer }) {
  return (
    <Card title="Consent and time zone">
      <h3 className="text-xs font-medium text-ink-muted">May we contact them?</h3>
      {c.consent.length ? (
        <ul className="mt-2 space-y-1.5 text-sm" aria-label="Consent">
          {c.consent.map((k) => (
            <li key={k.channel} className="flex items-center justify-between gap-3">
              <span className="break-words text-ink">{k.channel}</span>
              {k.granted === true ? (
                <Badge tone="good">Yes, they agreed</Badge>
              ) : k.granted === false ? (
                <Badge tone="bad">No</Badge>
              ) : (
                <Badge tone="warn">Unclear: {k.value}</Badge>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-ink-soft">Nothing recorded. Treat them as not having agreed to any channel.</p>
      )}
      <h3 className="mt-5 text-xs font-medium text-ink-muted">Time zone</h3>
      {c.timezone ? (
        <p className="mt-1 text-sm text-ink">
          {c.timezone.name}{" "}
          {c.timezone.valid ? <TheirTime zone={c.timezone.name} /> : <Badge tone="warn">not a time zone this server knows</Badge>}
        </p>
      ) : (
        <p className="mt-1 text-sm text-ink-soft">Not known yet. Their browser sends it with their next event, or an identify call can set it.</p>
      )}
      <Hint>
        From the <code className="font-mono">consent</code> and <code className="font-mono">timezone</code> details.
      </Hint>
    </Card>
  );
}

const ID_KIND: Record<string, string> = { user: "User id", anonymous: "Anonymous id" };

function Identities({ c }: { c: Customer }) {
  return (
    <Card title="Known by these ids" badge={<span className="text-xs text-ink-muted tabular-nums">{c.identities.length}</span>}>
      <table className={TABLE.table} aria-label="Identities">
        <thead className={TABLE.head}>
          <tr>
            <th className={TABLE.th}>Kind</th>
            <th className={TABLE.th}>Id</th>
            <th className={TABLE.th}>Since</th>
          </tr>
        </thead>
        <tbody className={TABLE.body}>
          {c.identities.map((i) => (
            <tr key={`${i.kind}:${i.value}`}>
              <td className={`${TABLE.td} whitespace-nowrap text-ink-soft`}>{ID_KIND[i.kind] ?? i.kind}</td>
              <td className={`${TABLE.td} font-mono text-xs break-all`}>{i.value}</td>
              <td className={`${TABLE.td} whitespace-nowrap`}>
                <LocalTime ms={i.since} dateOnly />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Hint>A user id comes from your sign-in; an anonymous id from a browser or device before they signed in.</Hint>
    </Card>
  );
}

function Traits({ traits }: { traits: Record<string, unknown> }) {
  const entries = Object.entries(traits).sort(([a], [b]) => a.localeCompare(b, "en"));
  return (
    <Card title="Details" badge={<span className="text-xs text-ink-muted tabular-nums">{entries.length}</span>}>
      {entries.length ? (
        <table className={TABLE.table} aria-label="Traits">
          <thead className={TABLE.head}>
            <tr>
              <th className={`${TABLE.th} w-1/3`}>Name</th>
              <th className={TABLE.th}>Value</th>
            </tr>
          </thead>
          <tbody className={TABLE.body}>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <td className={`${TABLE.td} align-top font-medium break-words text-ink-soft`}>{k}</td>
                <td className={`${TABLE.td} break-words ${typeof v === "string" ? "" : "font-mono text-xs"}`}>{traitText(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="text-sm text-ink-soft">No details yet. They arrive with identify calls, or from flows that write customer details.</p>
      )}
    </Card>
  );
}

/** Segment's event types, in words. */
const EVENT_KIND: Record<string, { label: string; tone: "good" | "busy" | "quiet" | "warn" }> = {
  track: { label: "Action", tone: "busy" },
  page: { label: "Page view", tone: "quiet" },
  screen: { label: "Screen view", tone: "quiet" },
  identify: { label: "Details updated", tone: "good" },
  alias: { label: "Ids joined", tone: "warn" },
  group: { label: "Joined a group", tone: "quiet" },
};

function Timeline({ events, limit }: { events: TimelineEvent[]; limit: number }) {
  return (
    <section aria-labelledby="customer-timeline-title" className="space-y-3">
      <div>
        <h2 id="customer-timeline-title" className="text-base font-semibold text-ink">
          What they did
        </h2>
        <p className="mt-1 text-sm text-ink-muted">
          Their events, newest first{events.length >= limit ? ` (the ${limit} most recent)` : ""}, from every id they are known by.
        </p>
      </div>
      {events.length === 0 ? (
        <p className="rounded-xl border border-dashed border-line bg-surface px-5 py-6 text-sm text-ink-muted">
          No events from this customer. Their details came from a flow rather than from a source.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
          <table className={TABLE.table} aria-label="Timeline">
            <thead className={TABLE.head}>
              <tr>
                <th className={TABLE.th}>When</th>
                <th className={TABLE.th}>What</th>
                <th className={TABLE.th}>Details</th>
                <th className={TABLE.th}>Sent as</th>
              </tr>
            </thead>
            <tbody className={TABLE.body}>
              {events.map((e) => {
                const kind = EVENT_KIND[e.type] ?? { label: e.type, tone: "quiet" as const };
                return (
                  <tr key={e.position}>
                    <td className={`${TABLE.td} align-top whitespace-nowrap`}>
                      <LocalTime ms={e.timestamp} />
                    </td>
                    <td className={`${TABLE.td} align-top`}>
                      <div className="flex flex-wrap items-center gap-2">
                        <Badge tone={kind.tone}>{kind.label}</Badge>
                        {e.event && <span className="font-medium break-words text-ink">{e.event}</span>}
                      </div>
                    </td>
                    <td className={`${TABLE.td} align-top`}>
                      {e.details.length ? (
                        <dl className="flex flex-wrap gap-x-3 gap-y-1 text-xs">
                          {e.details.map((d) => (
                            <div key={d.key} className="flex max-w-[20rem] min-w-0 gap-1">
                              <dt className="text-ink-muted">{d.key}:</dt>
                              <dd className="truncate font-mono text-ink-soft" title={d.value}>
                                {d.value}
                              </dd>
                            </div>
                          ))}
                          {e.more > 0 && <div className="text-ink-muted">and {e.more} more</div>}
                        </dl>
                      ) : (
                        <Muted>—</Muted>
                      )}
                    </td>
                    <td className={`${TABLE.td} align-top font-mono text-xs break-all text-ink-muted`}>{e.userId ?? e.anonymousId}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function CustomerView({ id }: { id: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.customer.get.queryOptions({ id }));

  if (query.isPending) {
    return (
      <main className="mx-auto flex max-w-6xl items-center gap-2 px-6 py-8 text-sm text-ink-muted" role="status">
        <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
        Loading the customer…
      </main>
    );
  }
  if (query.isError) {
    return (
      <main className="mx-auto max-w-6xl px-6 py-8">
        <h1 className="text-xl font-semibold tracking-tight text-ink">Customer not available</h1>
        <div role="alert">
          <Problem>{errorText(query.error)}</Problem>
        </div>
        <p className="mt-4 text-sm">
          <Link href="/customers" className="font-medium text-accent hover:underline">
            All customers
          </Link>
        </p>
      </main>
    );
  }

  const c = query.data;
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
      <nav aria-label="Breadcrumb" className="text-sm text-ink-muted">
        <Link href="/customers" className="hover:text-accent hover:underline">
          Customers
        </Link>
        <span className="mx-1.5">/</span>
        <span>{customerLabel(c)}</span>
      </nav>

      <section className="rounded-xl border border-line bg-surface p-5 shadow-xs">
        <h1 className="text-xl font-semibold tracking-tight break-words text-ink">{customerLabel(c)}</h1>
        {c.email && c.email !== customerLabel(c) && <p className="mt-0.5 text-sm break-words text-ink-soft">{c.email}</p>}
        <p className="mt-1 font-mono text-xs text-ink-muted">{c.id}</p>
        {c.mergedFrom && (
          <Hint>
            The customer you opened (<span className="font-mono">{c.mergedFrom}</span>) turned out to be the same person as this one, so the two were joined.
          </Hint>
        )}
        <dl className="mt-5 grid grid-cols-2 gap-4 border-t border-line pt-4 sm:grid-cols-4">
          <Fact label="User id">{c.userId ?? "not signed in yet"}</Fact>
          <Fact label="First seen">
            <LocalTime ms={c.firstSeen} />
          </Fact>
          <Fact label="Last seen">
            <LocalTime ms={c.lastSeen} />
          </Fact>
          <Fact label="Flows">{c.flows.length}</Fact>
        </dl>
      </section>

      <div className="grid gap-6 lg:grid-cols-2">
        <Traits traits={c.traits} />
        <div className="space-y-6">
          <ConsentAndZone c={c} />
          <Identities c={c} />
        </div>
      </div>

      <FlowRuns flows={c.flows} />
      <Decisions decisions={c.decisions} />
      <Timeline events={c.timeline} limit={c.timelineLimit} />
    </main>
  );
}
