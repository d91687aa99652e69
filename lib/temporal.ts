// How every process reaches Temporal. `TEMPORAL_ADDRESS` set means an external cluster (with
// `TEMPORAL_NAMESPACE` and optional mTLS or API key); otherwise the embedded dev server.
import type { Connection } from "@temporalio/client";
import proto from "@temporalio/proto";
import { readFileSync } from "node:fs";
import temporalConfig from "../temporal.config";

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
  tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer } | true;
  apiKey?: string;
  external: boolean;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const external = Boolean(env.TEMPORAL_ADDRESS);
  const cert = env.TEMPORAL_TLS_CERT;
  const key = env.TEMPORAL_TLS_KEY;
  const ca = env.TEMPORAL_TLS_CA;
  let tls: TemporalSettings["tls"];
  if (cert && key) tls = { clientCertPair: { crt: readFileSync(cert), key: readFileSync(key) }, ...(ca ? { serverRootCACertificate: readFileSync(ca) } : {}) };
  else if (env.TEMPORAL_TLS === "true" || env.TEMPORAL_API_KEY) tls = true;
  return {
    // The embedded dev server: `npm start` moves it with LOOPWRIGHT_TEMPORAL_PORT.
    address: env.TEMPORAL_ADDRESS || `127.0.0.1:${env.LOOPWRIGHT_TEMPORAL_PORT || temporalConfig.devServer.port}`,
    namespace: env.TEMPORAL_NAMESPACE || temporalConfig.namespace,
    taskQueue: env.LOOPWRIGHT_TASK_QUEUE || temporalConfig.taskQueue,
    uiUrl: (env.TEMPORAL_UI_URL || temporalConfig.uiUrl).replace(/\/$/, ""),
    tls,
    apiKey: env.TEMPORAL_API_KEY || undefined,
    external,
  };
}

export function connectionOptions(s: TemporalSettings = temporalSettings()) {
  return { address: s.address, tls: s.tls, apiKey: s.apiKey };
}

export function workflowUrl(s: TemporalSettings, workflowId: string): string {
  return `${s.uiUrl}/namespaces/${encodeURIComponent(s.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export interface PollerInfo {
  identity: string;
  /** When the server last saw this poller (epoch ms). Pollers stay listed for a few minutes after they stop. */
  lastAccessTime?: number;
  ratePerSecond?: number;
}

function timestampMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!ts || ts.seconds == null) return undefined;
  const s = ts.seconds as number | { toNumber(): number };
  return (typeof s === "number" ? s : s.toNumber()) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** The workers polling our task queue for workflow or activity tasks. */
export async function taskQueuePollers(connection: Connection, s: TemporalSettings, kind: "workflow" | "activity"): Promise<PollerInfo[]> {
  const { TaskQueueType } = proto.temporal.api.enums.v1;
  const res = await connection.workflowService.describeTaskQueue({
    namespace: s.namespace,
    taskQueue: { name: s.taskQueue },
    taskQueueType: kind === "workflow" ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (res.pollers ?? []).map((p) => ({
    identity: p.identity || "(no identity)",
    lastAccessTime: timestampMs(p.lastAccessTime),
    ratePerSecond: p.ratePerSecond ?? undefined,
  }));
}
