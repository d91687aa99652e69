// What started a run, in words for the run page: "342 events from shop, received 10:00:01-10:00:02".
import type { RunTrigger } from "@/workflows/graph/plan";

const time = (ms: number) => new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export function triggerWords(kind: string, t: RunTrigger | null | undefined): string {
  const words = startedBy(kind, t);
  return t?.sample ? `${words}, on a sample of ${t.sample.rows.toLocaleString("en-US")} rows per source` : words;
}

function startedBy(kind: string, t: RunTrigger | null | undefined): string {
  const span = t?.firstAt && t.lastAt ? (t.firstAt === t.lastAt ? `, received ${time(t.firstAt)}` : `, received ${time(t.firstAt)}–${time(t.lastAt)}`) : "";
  switch (t?.kind ?? kind) {
    case "event":
      return `${plural(t?.size ?? 0, "event")}${t?.source ? ` from ${t.source}` : ""}${span}`;
    case "webhook":
      return `${plural(t?.size ?? 0, "webhook call")}${span}`;
    case "audience":
      return `${plural(t?.size ?? 0, "customer")} entered or left the audience`;
    case "schedule":
      return t?.scheduledAt ? `Schedule, due ${new Date(t.scheduledAt).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}` : "Schedule";
    case "upload":
      return "File upload";
    default:
      return t?.source ? `By hand (${t.source})` : kind === "cli" ? "By hand (CLI)" : "By hand";
  }
}
