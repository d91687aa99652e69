"use client";
// A segment profile (insight.segment-profile) drawn: each segment's share of rows, each feature's
// distance from the overall mean, and a table of the means shaded by that distance.
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ACCENT, axis, fmt, Frame, INK, MUTED, num, pct, rows, SERIES, TableHead, type Row } from "./chart-parts";

interface ProfiledSegment {
  segment: string;
  size: number;
  share: number;
  features: Record<string, { mean: number | null; standardisedDifference: number | null }>;
}

/** A segment profile's `segments`: size, share and per-feature figures of each segment; features in the node's `columns` order. */
function profiledSegments(segments: unknown, columns: unknown): { list: ProfiledSegment[]; features: string[] } {
  const list = rows(segments).flatMap((s): ProfiledSegment[] => {
    const size = num(s.size);
    const share = num(s.share);
    if (size === null || share === null) return [];
    const raw = typeof s.features === "object" && s.features !== null ? (s.features as Record<string, Row>) : {};
    const features = Object.fromEntries(Object.entries(raw).map(([k, f]) => [k, { mean: num(f?.mean), standardisedDifference: num(f?.standardisedDifference) }]));
    return [{ segment: String(s.segment), size, share, features }];
  });
  const present = new Set(list.flatMap((s) => Object.keys(s.features)));
  const ordered = Array.isArray(columns) ? columns.filter((c): c is string => typeof c === "string" && present.has(c)) : [];
  return { list, features: [...new Set([...ordered, ...present])] };
}

/** Share of rows per segment, and each feature's distance from the overall mean in standard deviations. */
export function SegmentProfileCharts({ segments, columns }: { segments: unknown; columns?: unknown }) {
  const { list, features } = profiledSegments(segments, columns);
  if (!list.length) return null;
  const differences = list.map((s) => ({ segment: s.segment, ...Object.fromEntries(features.map((f) => [f, s.features[f]?.standardisedDifference ?? null])) }));
  return (
    <>
      <Frame title="Share of rows per segment" label="Segment shares">
        <ResponsiveContainer>
          <BarChart data={list} margin={{ top: 4, right: 8, bottom: 4, left: -8 }}>
            <CartesianGrid stroke={MUTED} strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="segment" {...axis} />
            <YAxis tickFormatter={pct} {...axis} />
            <Tooltip formatter={(v) => pct(Number(v))} labelFormatter={(v) => `Segment ${v}`} />
            <Bar dataKey="share" name="Share" fill={ACCENT} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </Frame>
      {features.length > 0 && (
        <Frame title="Segment mean against the overall mean (standard deviations)" label="Segment differences">
          <ResponsiveContainer>
            <BarChart data={differences} margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
              <CartesianGrid stroke={MUTED} strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="segment" {...axis} />
              <YAxis {...axis} />
              <ReferenceLine y={0} stroke={INK} />
              <Tooltip formatter={(v) => (num(v) === null ? "—" : `${Number(v) > 0 ? "+" : ""}${Number(v).toFixed(2)} sd`)} labelFormatter={(v) => `Segment ${v}`} />
              <Legend wrapperStyle={{ fontSize: 10 }} itemSorter={null} />
              {features.map((f, i) => (
                <Bar key={f} dataKey={f} name={f} fill={SERIES[i % SERIES.length]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </Frame>
      )}
    </>
  );
}

/** Mean of each feature per segment, shaded by how far it is from the whole (blue below, red above). */
export function SegmentProfileTable({ segments, columns }: { segments: unknown; columns?: unknown }) {
  const { list, features } = profiledSegments(segments, columns);
  if (!list.length) return null;
  const shade = (z: number | null) => {
    if (z === null) return undefined;
    const strength = Math.min(1, Math.abs(z) / 2) * 35; // full colour at 2 standard deviations
    return { backgroundColor: `color-mix(in oklch, ${z > 0 ? "var(--color-kind-action)" : "var(--color-kind-source)"} ${strength.toFixed(0)}%, transparent)` };
  };
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs" aria-label="Segment profile">
        <TableHead headings={["Segment", "Rows", "Share", ...features.map((f) => `Mean ${f}`)]} />
        <tbody className="tabular-nums text-ink">
          {list.map((s) => (
            <tr key={s.segment} className="border-t border-line/70">
              <td className="py-1 pr-3">{s.segment}</td>
              <td className="py-1 pr-3">{s.size.toLocaleString("en-US")}</td>
              <td className="py-1 pr-3">{(s.share * 100).toFixed(1)}%</td>
              {features.map((f) => {
                const figure = s.features[f];
                const z = figure?.standardisedDifference ?? null;
                return (
                  <td key={f} className="py-1 pr-3" style={shade(z)} title={z === null ? undefined : `${z > 0 ? "+" : ""}${z.toFixed(2)} standard deviations from the whole`}>
                    {figure?.mean === null || figure?.mean === undefined ? "—" : fmt(figure.mean)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
