"use client";
// Conversion per arm or per path: a bar chart of the rates with their 95% intervals as whiskers, and
// a table of customers, converted, rate, and the difference from the control group with its 95%
// interval and p-value. Comparisons resting on too few customers are marked as such.
import { TableHead } from "@/app/_components/chart-parts";
import { ArmsChart } from "@/app/_components/charts";
import { Badge } from "@/app/_components/ui";
import type { RouterOutputs } from "@/trpc/react";

type Figures = NonNullable<RouterOutputs["goal"]["results"]["figures"]>;
type Group = Figures["arms"][number];
type Comparison = Figures["armComparisons"][number];

const percent = (v: number | null, digits = 1) => (v === null ? "—" : `${(v * 100).toFixed(digits)}%`);
const points = (v: number | null) => (v === null ? "—" : `${v > 0 ? "+" : ""}${(v * 100).toFixed(1)} pts`);
const pValue = (v: number | null) => (v === null ? "—" : v < 0.001 ? "< 0.001" : v.toFixed(3));

export function GroupFigures({ title, groupName, groups, comparisons, hasControl }: { title: string; groupName: string; groups: Group[]; comparisons: Comparison[]; hasControl: boolean }) {
  const byKey = new Map(comparisons.map((c) => [c.key, c]));
  const chart = groups.map((g) => ({ arm: g.label, value: g.rate, ciLow: g.ciLow, ciHigh: g.ciHigh }));
  return (
    <section className="space-y-3" aria-label={title} data-testid={`figures-${groupName}`}>
      <h2 className="text-sm font-semibold text-ink">{title}</h2>
      {groups.length === 0 ? (
        <p className="text-sm text-ink-muted">No customers here yet.</p>
      ) : (
        <>
          <ArmsChart arms={chart} title={`Conversion per ${groupName}, with 95% intervals`} label={`Conversion per ${groupName}`} />
          <div className="overflow-x-auto rounded-lg border border-line bg-surface">
            <table className="w-full text-left text-xs" aria-label={`Conversion per ${groupName}`}>
              <TableHead headings={[groupName === "arm" ? "Arm" : "Path", "Customers", "Converted", "Rate", "95% interval", "Against the control", "95% interval", "p-value"]} />
              <tbody className="text-ink tabular-nums">
                {groups.map((g) => {
                  const c = byKey.get(g.key);
                  return (
                    <tr key={g.key} className="border-t border-line/70" data-testid={`row-${g.label}`}>
                      <td className="py-1.5 pr-3 pl-2 font-medium">
                        {g.label}
                        {g.control && <span className="text-ink-muted"> (control group)</span>}
                      </td>
                      <td className="py-1.5 pr-3">{g.customers}</td>
                      <td className="py-1.5 pr-3">{g.converted}</td>
                      <td className="py-1.5 pr-3">{percent(g.rate)}</td>
                      <td className="py-1.5 pr-3">
                        {percent(g.ciLow)} to {percent(g.ciHigh)}
                      </td>
                      <td className="py-1.5 pr-3">{g.control ? "—" : c ? points(c.difference) : hasControl ? "—" : "no control group"}</td>
                      <td className="py-1.5 pr-3">{c ? `${points(c.ciLow)} to ${points(c.ciHigh)}` : "—"}</td>
                      <td className="py-1.5 pr-3">
                        {c ? pValue(c.pValue) : "—"}
                        {c?.tooFew && " "}
                        {c?.tooFew && (
                          <span className="ml-1" title="Fewer than 5 customers converted, or fewer than 5 did not, in this group or the control group: the interval and p-value are rough.">
                            <Badge tone="warn">too few customers</Badge>
                          </span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
