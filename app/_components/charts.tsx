"use client";
// Charts of what insight and model nodes report (recharts): ROC curve, cumulative gains and lift,
// calibration, Qini curve, A/B arms with confidence intervals, segment sizes and profiles. Each takes
// the node's metrics as they are stored with the run and draws nothing when its figures are absent.
// What they share is in ./chart-parts.tsx, the segment profile in ./segment-charts.tsx.
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from "recharts";
import { ACCENT, axis, fmt, Frame, INK, MUTED, num, pct, rows, TableHead } from "./chart-parts";
import { SegmentProfileCharts, SegmentProfileTable } from "./segment-charts";

export function RocChart({ points }: { points: unknown }) {
  const data = rows(points).map((p) => ({ fpr: num(p.fpr), tpr: num(p.tpr) })).filter((p) => p.fpr !== null && p.tpr !== null);
  if (data.length < 2) return null;
  return (
    <Frame title="ROC curve (true positive rate against false positive rate)" label="ROC curve">
      <ResponsiveContainer>
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
          <CartesianGrid stroke={MUTED} strokeDasharray="3 3" />
          <XAxis dataKey="fpr" type="number" domain={[0, 1]} tickFormatter={pct} {...axis} />
          <YAxis type="number" domain={[0, 1]} tickFormatter={pct} {...axis} />
          <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke={MUTED} strokeDasharray="4 4" />
          <Tooltip formatter={(v) => pct(Number(v))} labelFormatter={(v) => `FPR ${pct(Number(v))}`} />
          <Line dataKey="tpr" name="TPR" stroke={ACCENT} dot={false} strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </Frame>
  );
}

export function GainsChart({ lift }: { lift: unknown }) {
  const data = rows(lift).map((d) => ({ share: num(d.populationShare), gain: num(d.gain), lift: num(d.lift), decile: num(d.decile) })).filter((d) => d.share !== null && d.gain !== null);
  if (!data.length) return null;
  return (
    <>
      <Frame title="Cumulative gains: share of positives reached by targeting the top-scored share" label="Cumulative gains">
        <ResponsiveContainer>
          <LineChart data={[{ share: 0, gain: 0 }, ...data]} margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
            <CartesianGrid stroke={MUTED} strokeDasharray="3 3" />
            <XAxis dataKey="share" type="number" domain={[0, 1]} tickFormatter={pct} {...axis} />
            <YAxis type="number" domain={[0, 1]} tickFormatter={pct} {...axis} />
            <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke={MUTED} strokeDasharray="4 4" />
            <Tooltip formatter={(v) => pct(Number(v))} labelFormatter={(v) => `Top ${pct(Number(v))}`} />
            <Line dataKey="gain" name="Positives reached" stroke={ACCENT} strokeWidth={2} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </Frame>
      <Frame title="Lift by decile (1 = the top-scored tenth)" label="Lift by decile">
        <ResponsiveContainer>
          <BarChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
            <CartesianGrid stroke={MUTED} strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="decile" {...axis} />
            <YAxis {...axis} />
            <ReferenceLine y={1} stroke={INK} strokeDasharray="4 4" />
            <Tooltip formatter={(v) => Number(v).toFixed(2)} labelFormatter={(v) => `Decile ${v}`} />
            <Bar dataKey="lift" name="Lift" fill={ACCENT} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </Frame>
    </>
  );
}

export function CalibrationChart({ bins }: { bins: unknown }) {
  const data = rows(bins).map((b) => ({ predicted: num(b.meanScore), observed: num(b.observedRate), n: num(b.rows) })).filter((b) => b.predicted !== null && b.observed !== null);
  if (!data.length) return null;
  return (
    <Frame title="Calibration: observed rate against mean predicted score per bin" label="Calibration">
      <ResponsiveContainer>
        <ScatterChart margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
          <CartesianGrid stroke={MUTED} strokeDasharray="3 3" />
          <XAxis dataKey="predicted" type="number" domain={[0, 1]} tickFormatter={pct} name="Predicted" {...axis} />
          <YAxis dataKey="observed" type="number" domain={[0, 1]} tickFormatter={pct} name="Observed" {...axis} />
          <ZAxis dataKey="n" range={[30, 200]} name="Rows" />
          <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke={MUTED} strokeDasharray="4 4" />
          <Tooltip formatter={(v, name) => (name === "Rows" ? String(v) : pct(Number(v)))} />
          <Scatter data={data} fill={ACCENT} isAnimationActive={false} />
        </ScatterChart>
      </ResponsiveContainer>
    </Frame>
  );
}

/** Qini curve of an uplift model: extra responders reached by treating the top-ranked share, with perfect and random targeting. */
export function QiniChart({ points }: { points: unknown }) {
  const data = rows(points).map((p) => ({ share: num(p.share), model: num(p.model), perfect: num(p.perfect), random: num(p.random) })).filter((p) => p.share !== null && p.model !== null);
  if (data.length < 2) return null;
  return (
    <Frame title="Qini curve: extra responders reached by treating the top-ranked share" label="Qini curve">
      <ResponsiveContainer>
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: -8 }}>
          <CartesianGrid stroke={MUTED} strokeDasharray="3 3" />
          <XAxis dataKey="share" type="number" domain={[0, 1]} tickFormatter={pct} {...axis} />
          <YAxis {...axis} />
          <Tooltip formatter={(v) => Number(v).toFixed(1)} labelFormatter={(v) => `Top ${pct(Number(v))}`} />
          <Legend wrapperStyle={{ fontSize: 10 }} />
          <Line dataKey="model" name="Model" stroke={ACCENT} dot={false} strokeWidth={2} isAnimationActive={false} />
          <Line dataKey="perfect" name="Perfect" stroke={INK} dot={false} strokeDasharray="2 2" isAnimationActive={false} />
          <Line dataKey="random" name="Random" stroke={INK} dot={false} strokeDasharray="4 4" strokeOpacity={0.5} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </Frame>
  );
}

export function ArmsChart({ arms, measure, title, label }: { arms: unknown; measure?: unknown; title?: string; label?: string }) {
  const data = rows(arms)
    .map((a) => {
      const value = num(a.value);
      const lo = num(a.ciLow);
      const hi = num(a.ciHigh);
      return { arm: String(a.arm), value, error: value !== null && lo !== null && hi !== null ? [value - lo, hi - value] : [0, 0] };
    })
    .filter((a) => a.value !== null);
  if (!data.length) return null;
  const rate = measure !== "mean";
  return (
    <Frame title={title ?? `${rate ? "Rate" : "Mean"} per arm, with 95% confidence intervals`} label={label ?? "A/B arms"}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: -8 }}>
          <CartesianGrid stroke={MUTED} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="arm" {...axis} />
          <YAxis tickFormatter={(v) => (rate ? pct(Number(v)) : String(v))} {...axis} />
          <Tooltip formatter={(v) => (rate ? `${(Number(v) * 100).toFixed(1)}%` : Number(v).toFixed(3))} />
          <Bar dataKey="value" name={rate ? "Rate" : "Mean"} fill={ACCENT} isAnimationActive={false}>
            <ErrorBar dataKey="error" width={6} stroke={INK} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </Frame>
  );
}

export function SegmentSizes({ sizes }: { sizes: unknown }) {
  const data = (Array.isArray(sizes) ? sizes : []).map((s, i) => ({ segment: String(i + 1), size: num(s) })).filter((s) => s.size !== null);
  if (!data.length) return null;
  return (
    <Frame title="Customers per segment" label="Segment sizes">
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={MUTED} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="segment" {...axis} />
          <YAxis {...axis} />
          <Tooltip formatter={(v) => Number(v).toLocaleString("en-US")} labelFormatter={(v) => `Segment ${v}`} />
          <Bar dataKey="size" name="Customers" fill={ACCENT} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Frame>
  );
}

export function Histogram({ bins }: { bins: unknown }) {
  const data = rows(bins).map((b) => ({ label: `${fmt(b.from)}–${fmt(b.to)}`, count: num(b.count) })).filter((b) => b.count !== null);
  if (!data.length) return null;
  return (
    <Frame title="Distribution" label="Histogram">
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={MUTED} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" {...axis} interval="preserveStartEnd" />
          <YAxis {...axis} />
          <Tooltip formatter={(v) => Number(v).toLocaleString("en-US")} />
          <Bar dataKey="count" name="Rows" fill={ACCENT} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Frame>
  );
}

export function TopValues({ values }: { values: unknown }) {
  const data = rows(values).map((v) => ({ value: String(v.value ?? "(empty)"), count: num(v.count) })).filter((v) => v.count !== null);
  if (!data.length) return null;
  return (
    <Frame title="Most frequent values" label="Top values">
      <ResponsiveContainer>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 8, bottom: 4, left: 8 }}>
          <CartesianGrid stroke={MUTED} strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" {...axis} />
          <YAxis type="category" dataKey="value" width={110} {...axis} />
          <Tooltip formatter={(v) => Number(v).toLocaleString("en-US")} />
          <Bar dataKey="count" name="Rows" fill={ACCENT} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Frame>
  );
}

/** Each treatment arm against the control: difference, its interval and the p-value. */
export function Comparisons({ comparisons }: { comparisons: unknown }) {
  const list = rows(comparisons);
  if (!list.length) return null;
  const p = (v: unknown) => {
    const n = num(v);
    return n === null ? "—" : n < 0.001 ? "< 0.001" : n.toFixed(3);
  };
  const diff = (v: unknown) => (num(v) === null ? "—" : `${(num(v)! * 100).toFixed(2)} pts`);
  return (
    <table className="w-full text-left text-xs" aria-label="Comparisons with the control">
      <TableHead headings={["Arm", "Against", "Difference", "95% interval", "p-value"]} />
      <tbody className="tabular-nums text-ink">
        {list.map((c, i) => (
          <tr key={i} className="border-t border-line/70">
            <td className="py-1 pr-3">{String(c.arm)}</td>
            <td className="py-1 pr-3">{String(c.control)}</td>
            <td className="py-1 pr-3">{diff(c.difference)}</td>
            <td className="py-1 pr-3">
              {diff(c.ciLow)} to {diff(c.ciHigh)}
            </td>
            <td className="py-1 pr-3">{p(c.pValue)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Metric keys drawn as charts; the figures table leaves them out. */
export const CHARTED = new Set(["roc", "lift", "calibration", "arms", "sizes", "comparisons", "histogram", "topValues", "segments", "qini"]);

export function MetricCharts({ metrics }: { metrics: Record<string, unknown> }) {
  const charts = [
    metrics.roc !== undefined && <RocChart key="roc" points={metrics.roc} />,
    metrics.lift !== undefined && <GainsChart key="lift" lift={metrics.lift} />,
    metrics.calibration !== undefined && <CalibrationChart key="cal" bins={metrics.calibration} />,
    metrics.qini !== undefined && <QiniChart key="qini" points={metrics.qini} />,
    metrics.arms !== undefined && <ArmsChart key="arms" arms={metrics.arms} measure={metrics.measure} />,
    Array.isArray(metrics.sizes) && <SegmentSizes key="sizes" sizes={metrics.sizes} />,
    metrics.histogram !== undefined && <Histogram key="histogram" bins={metrics.histogram} />,
    metrics.topValues !== undefined && <TopValues key="top" values={metrics.topValues} />,
    metrics.segments !== undefined && <SegmentProfileCharts key="segments" segments={metrics.segments} columns={metrics.columns} />,
  ].filter(Boolean);
  const table =
    metrics.comparisons !== undefined ? (
      <Comparisons comparisons={metrics.comparisons} />
    ) : metrics.segments !== undefined ? (
      <SegmentProfileTable segments={metrics.segments} columns={metrics.columns} />
    ) : null;
  if (!charts.length && !table) return null;
  return (
    <div className="space-y-3">
      {table}
      {charts.length > 0 && <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">{charts}</div>}
    </div>
  );
}
