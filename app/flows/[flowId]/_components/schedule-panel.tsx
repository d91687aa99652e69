"use client";
// The saved schedule of a flow whose trigger is "On a schedule": what it does in words, its next
// five runs, pause and resume, and a backfill of a past range (times on the schedule's own clock).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CalendarClock, Pause, Play, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useState, type FormEvent } from "react";
import { Badge } from "@/app/_components/ui";
import { errorText } from "@/app/runs/_components/hooks";
import { atLeast } from "@/lib/roles";
import { epochToWallTime, nextRunsInWords, relativeWords, timeInWords, wallTimeToEpoch } from "@/server/services/schedule-words";
import { useTRPC } from "@/trpc/react";
import { BUTTON, inputClass } from "./config-field-parts";

const HOUR = 3_600_000;

/** The current time, moved on every `ms` so "in 2 minutes" stays true. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function SchedulePanel({ flowId, readOnly }: { flowId: string; readOnly?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(15_000);
  const me = useQuery(trpc.account.me.queryOptions(undefined, { staleTime: 60_000, retry: 1 }));
  const canEdit = !readOnly && Boolean(me.data && atLeast(me.data.role, "editor"));
  const schedule = useQuery(trpc.schedule.describe.queryOptions({ flowId }, { refetchInterval: 30_000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.schedule.describe.queryKey({ flowId }) });
  const pause = useMutation(trpc.schedule.pause.mutationOptions({ onSettled: refresh }));
  const resume = useMutation(trpc.schedule.resume.mutationOptions({ onSettled: refresh }));
  const toggleError = pause.error ?? resume.error;

  const s = schedule.data;
  // Never older than the data: a run started after the clock last moved is not "in 2 seconds".
  const at = Math.max(now, schedule.dataUpdatedAt);
  return (
    <section aria-label="Schedule" className="space-y-3 rounded-lg border border-line bg-canvas p-3">
      <div className="flex items-center justify-between gap-2">
        <h3 className="inline-flex items-center gap-1.5 text-xs font-semibold tracking-wide text-ink-muted uppercase">
          <CalendarClock className="size-3.5" aria-hidden />
          Schedule
        </h3>
        {s?.exists && (s.paused ? <Badge tone="warn">Paused</Badge> : <Badge tone="good">Active</Badge>)}
      </div>

      {schedule.isPending && <p className="text-xs text-ink-muted">Reading the schedule from Temporal…</p>}
      {schedule.error && <p className="rounded-md bg-rose-50 px-2.5 py-2 text-xs leading-relaxed break-words text-rose-800">{errorText(schedule.error)}</p>}
      {s && !s.exists && <p className="text-xs leading-relaxed text-ink-soft">{s.problem}</p>}

      {s?.exists && (
        <>
          <div>
            <p className="text-sm font-medium text-ink">{s.words ?? "A schedule Loopwright did not write"}</p>
            <p className="mt-0.5 text-[11px] text-ink-muted">
              As saved{s.flowVersion ? ` (version ${s.flowVersion})` : ""}: save the flow to apply changed settings.
            </p>
          </div>

          <div>
            <h4 className="mb-1 text-xs font-medium text-ink-soft">Next runs</h4>
            {s.nextRuns.length ? (
              <ol className={`space-y-0.5 text-xs tabular-nums ${s.paused ? "text-ink-muted line-through decoration-ink-muted/40" : "text-ink"}`} aria-label="Next runs">
                {nextRunsInWords(s.nextRuns, at, s.timeZone).map((text, i) => (
                  <li key={s.nextRuns[i]}>{text}</li>
                ))}
              </ol>
            ) : (
              <p className="text-xs text-ink-muted">None to come.</p>
            )}
            {s.paused && <p className="mt-1 text-xs text-amber-800">Paused: no run starts until it is resumed.{s.note ? ` ${s.note}.` : ""}</p>}
          </div>

          {canEdit && (
            <div>
              {s.paused ? (
                <button type="button" className={BUTTON} disabled={resume.isPending} onClick={() => resume.mutate({ flowId })}>
                  <Play className="size-3.5" aria-hidden />
                  {resume.isPending ? "Resuming…" : "Resume"}
                </button>
              ) : (
                <button type="button" className={BUTTON} disabled={pause.isPending} onClick={() => pause.mutate({ flowId })}>
                  <Pause className="size-3.5" aria-hidden />
                  {pause.isPending ? "Pausing…" : "Pause"}
                </button>
              )}
              {toggleError && <p className="mt-2 rounded-md bg-rose-50 px-2.5 py-2 text-xs break-words text-rose-800">{errorText(toggleError)}</p>}
            </div>
          )}

          {s.recentRuns.length > 0 && (
            <div>
              <h4 className="mb-1 text-xs font-medium text-ink-soft">Latest runs</h4>
              <ul className="space-y-0.5 text-xs tabular-nums">
                {s.recentRuns.slice(0, 5).map((r) => (
                  <li key={r.runId}>
                    <Link href={`/runs/${encodeURIComponent(r.runId)}`} className="text-ink hover:underline" title={r.runId}>
                      {timeInWords(r.scheduledAt, at, s.timeZone)}
                    </Link>
                    <span className="text-ink-muted"> · started {relativeWords(Math.min(r.startedAt, at), at)}</span>
                  </li>
                ))}
              </ul>
              {s.skippedOverlap + s.missedCatchupWindow > 0 && (
                <p className="mt-1 text-[11px] text-ink-muted">
                  {s.skippedOverlap > 0 && `${s.skippedOverlap} skipped while the last run was still going. `}
                  {s.missedCatchupWindow > 0 && `${s.missedCatchupWindow} missed (later than the catch-up window).`}
                </p>
              )}
            </div>
          )}

          {canEdit && <BackfillForm flowId={flowId} timeZone={s.timeZone} onDone={refresh} />}
        </>
      )}
    </section>
  );
}

function BackfillForm({ flowId, timeZone, onDone }: { flowId: string; timeZone: string; onDone: () => void }) {
  const trpc = useTRPC();
  const id = useId();
  const [from, setFrom] = useState(() => epochToWallTime(Date.now() - 24 * HOUR, timeZone));
  const [to, setTo] = useState(() => epochToWallTime(Date.now(), timeZone));
  const [problem, setProblem] = useState<string | null>(null);
  const backfill = useMutation(trpc.schedule.backfill.mutationOptions({ onSettled: onDone }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (backfill.isPending) return;
    const start = wallTimeToEpoch(from, timeZone);
    const end = wallTimeToEpoch(to, timeZone);
    if (start === null || end === null) return setProblem("Give both a start and an end.");
    setProblem(null);
    backfill.mutate({ flowId, from: start, to: end }, { onError: (err) => setProblem(errorText(err)) });
  };

  const result = backfill.data;
  return (
    <form onSubmit={submit} noValidate className="space-y-2 border-t border-line pt-3" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} className="text-xs font-medium text-ink-soft">
        Backfill
      </h4>
      <p className="text-[11px] leading-relaxed text-ink-muted">Runs every interval due in a past range (both ends included) that has no run yet, all at once. Times in {timeZone}.</p>
      <div className="grid gap-2">
        <div>
          <label htmlFor={`${id}-from`} className="mb-1 block text-[11px] font-medium text-ink-soft">
            From
          </label>
          <input id={`${id}-from`} type="datetime-local" className={inputClass(false)} value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-to`} className="mb-1 block text-[11px] font-medium text-ink-soft">
            To
          </label>
          <input id={`${id}-to`} type="datetime-local" className={inputClass(false)} value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      <button type="submit" className={BUTTON} disabled={backfill.isPending}>
        <RotateCcw className="size-3.5" aria-hidden />
        {backfill.isPending ? "Starting runs…" : "Run the missed intervals"}
      </button>
      {problem && (
        <p role="alert" className="rounded-md bg-rose-50 px-2.5 py-2 text-xs leading-relaxed break-words text-rose-800">
          {problem}
        </p>
      )}
      {result && !problem && (
        <p role="status" className="rounded-md bg-emerald-50 px-2.5 py-2 text-xs leading-relaxed text-emerald-800">
          {result.started === 1 ? "1 run started" : `${result.started} runs started`}
          {result.alreadyRun > 0 && ` (${result.alreadyRun} of the ${result.due} intervals already had a run)`}.
        </p>
      )}
    </form>
  );
}
