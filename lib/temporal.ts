// How every process reaches Temporal. `TEMPORAL_ADDRESS` set means an external cluster (with
// `TEMPORAL_NAMESPACE` and optional mTLS or API key); otherwise the embedded dev server.
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
  // `npm start` passes its embedded dev server's address on to the worker and web app, marked as its own.
  const external = Boolean(env.TEMPORAL_ADDRESS) && env.LOOPWRIGHT_EMBEDDED_TEMPORAL !== "1";
  const cert = env.TEMPORAL_TLS_CERT;
  const key = env.TEMPORAL_TLS_KEY;
  const ca = env.TEMPORAL_TLS_CA;
  let tls: TemporalSettings["tls"];
  if (cert && key) tls = { clientCertPair: { crt: readFileSync(cert), key: readFileSync(key) }, ...(ca ? { serverRootCACertificate: readFileSync(ca) } : {}) };
  else if (env.TEMPORAL_TLS === "true" || env.TEMPORAL_API_KEY) tls = true;
  return {
    address: env.TEMPORAL_ADDRESS || `127.0.0.1:${temporalConfig.devServer.port}`,
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
