// The web app's way to Temporal: one lazy Client for starting and cancelling runs, and a status
// probe for the home page and the health router.
import "server-only";
import { Client, Connection } from "@temporalio/client";
import { connectionOptions, taskQueuePollers, temporalSettings, type PollerInfo, type TemporalSettings } from "../lib/temporal";

export type { PollerInfo };

export interface TemporalStatus {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
  /** `TEMPORAL_ADDRESS` is set: an external cluster rather than the embedded dev server. */
  external: boolean;
  reachable: boolean;
  /** Why Temporal could not be reached (connection refused, DNS, TLS, ...). */
  error?: string;
  serverVersion?: string;
  latencyMs?: number;
  checkedAt: number;
  /** Workers polling the task queue, by task queue type; absent when Temporal is unreachable. */
  pollers?: { workflow: PollerInfo[]; activity: PollerInfo[]; error?: string };
}

/** What the tRPC context carries, so routers never import this server-only module themselves. */
export interface TemporalAccess {
  settings(): TemporalSettings;
  client(): Client;
  status(): Promise<TemporalStatus>;
}

const g = globalThis as typeof globalThis & { __loopwrightTemporal?: { settings?: TemporalSettings; client?: Client } };
const state = (g.__loopwrightTemporal ??= {});

export function getTemporalSettings(): TemporalSettings {
  return (state.settings ??= temporalSettings());
}

/** Connects on first use, so a page that never starts a run never dials Temporal. */
export function getTemporalClient(): Client {
  if (!state.client) {
    const s = getTemporalSettings();
    state.client = new Client({ connection: Connection.lazy(connectionOptions(s)), namespace: s.namespace });
  }
  return state.client;
}

function errorText(err: unknown): string {
  // gRPC errors carry the cause in `details`; `message` repeats it behind a numeric code.
  const e = err as { details?: unknown; message?: unknown; cause?: unknown };
  const text = typeof e?.details === "string" && e.details ? e.details : err instanceof Error ? err.message : String(err);
  return (
    text
      .replace(/\.?\s*Resolution note:\s*$/, "")
      .replace("Last error: Error: ", "Last error: ")
      .trim() || "Unknown error"
  );
}

/**
 * Is Temporal reachable right now, and does any worker poll our task queue? Never throws.
 *
 * Each call dials a fresh connection without the SDK's retry interceptor: a refused connection,
 * a DNS failure or a TLS error then comes back at once with its real cause, instead of being
 * retried until the deadline and reported as "deadline exceeded". The long-lived client's
 * channel is not used, since its reconnect backoff could keep reporting an outage for minutes
 * after Temporal came back.
 */
export async function temporalStatus(timeoutMs = 3000): Promise<TemporalStatus> {
  const checkedAt = Date.now();
  let s: TemporalSettings;
  try {
    s = getTemporalSettings();
  } catch (err) {
    const env = process.env;
    return {
      address: env.TEMPORAL_ADDRESS || "(unset)",
      namespace: env.TEMPORAL_NAMESPACE || "default",
      taskQueue: env.LOOPWRIGHT_TASK_QUEUE || "loopwright",
      uiUrl: env.TEMPORAL_UI_URL || "",
      external: Boolean(env.TEMPORAL_ADDRESS),
      reachable: false,
      error: `Invalid Temporal settings: ${errorText(err)}`,
      checkedAt,
    };
  }
  const base = { address: s.address, namespace: s.namespace, taskQueue: s.taskQueue, uiUrl: s.uiUrl, external: s.external, checkedAt };
  const deadline = checkedAt + timeoutMs;

  let probe: Connection | undefined;
  try {
    probe = Connection.lazy({ ...connectionOptions(s), interceptors: [] });
    const conn = probe;
    const info = await conn.withDeadline(deadline, () => conn.workflowService.getSystemInfo({}));
    const latencyMs = Date.now() - checkedAt;

    const describe = (kind: "workflow" | "activity") => conn.withDeadline(deadline, () => taskQueuePollers(conn, s, kind));
    let pollers: NonNullable<TemporalStatus["pollers"]>;
    try {
      const [workflow, activity] = await Promise.all([describe("workflow"), describe("activity")]);
      pollers = { workflow, activity };
    } catch (err) {
      // Reachable, but the queue could not be described (most often: the namespace does not exist).
      pollers = { workflow: [], activity: [], error: errorText(err) };
    }
    return { ...base, reachable: true, serverVersion: info.serverVersion || undefined, latencyMs, pollers };
  } catch (err) {
    return { ...base, reachable: false, error: errorText(err) };
  } finally {
    await probe?.close().catch(() => undefined);
  }
}

export const temporalAccess: TemporalAccess = {
  settings: getTemporalSettings,
  client: getTemporalClient,
  status: () => temporalStatus(),
};
