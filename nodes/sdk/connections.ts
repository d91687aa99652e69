// Connections: credentials an admin keeps in the app (encrypted at rest), which flows name and
// nodes receive through ctx.connection(name, kind). A flow (which the browser sees and edits)
// holds only the name; the worker decrypts the secret. Imports only zod.
import type { z } from "zod";
import type { GuardedFetchInit } from "./types";

export type ConnectionKind = "postgres" | "sqlite" | "smtp" | "http";
export const CONNECTION_KIND_LIST: readonly ConnectionKind[] = ["postgres", "sqlite", "smtp", "http"];

/**
 * How an admin defines a connection from the environment: `LOOPWRIGHT_SECRET_<NAME>` holding a
 * URL becomes the connection `<name>` (lower case, `_` as `-`) when the web app starts.
 */
export const SECRET_ENV_PREFIX = "LOOPWRIGHT_SECRET_";

interface Base<K extends ConnectionKind> {
  kind: K;
  name: string;
  /** Hosts the connection may be sent to. */
  hosts: readonly string[];
}

export interface PostgresConnection extends Base<"postgres"> {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Not enumerable, and left out of JSON: never put it in a message, metric or log. */
  readonly password: string | null;
  ssl: boolean;
  /** The longest one statement may run: the connection's limit, already capped by the admin's maximum. */
  statementTimeoutMs: number;
  /** The timeout to apply for a node that asks for `requestedMs` (it may lower the limit, never raise it). */
  statementTimeout(requestedMs?: number): number;
}

export interface SqliteConnection extends Base<"sqlite"> {
  /** Absolute path of the database file, chosen by the admin. */
  file: string;
}

export interface SmtpConnection extends Base<"smtp"> {
  host: string;
  port: number;
  /** true: TLS from the start (port 465); false: STARTTLS when offered. */
  secure: boolean;
  user: string | null;
  /** Not enumerable, and left out of JSON. */
  readonly password: string | null;
  from: string;
}

export interface HttpConnection extends Base<"http"> {
  baseUrl: string;
  /** A path (joined to baseUrl) or an absolute URL, as the URL `fetch` would request. */
  resolveUrl(pathOrUrl: string | URL): URL;
  /**
   * A request through the SSRF guard, with the connection's credentials added. Only the
   * connection's hosts may be reached (plain http only for its plain-http hosts); redirects are
   * not followed, so credentials never travel anywhere else. The credentials are never exposed.
   */
  fetch(pathOrUrl: string | URL, init?: GuardedFetchInit): Promise<Response>;
  /**
   * Present only when the connection has a webhook signing secret: the Standard Webhooks
   * `webhook-signature` value (`v1,<base64 HMAC-SHA256>`) of `<msgId>.<timestamp>.<body>`. The
   * secret itself is never exposed.
   */
  signWebhook?(msgId: string, timestampSeconds: number, body: string): string;
}

export type ResolvedConnection = PostgresConnection | SqliteConnection | SmtpConnection | HttpConnection;
export type ConnectionOf<K extends ConnectionKind> = Extract<ResolvedConnection, { kind: K }>;

/** Which node field named the connection, for the ConfigError when it is missing or of another kind. */
export interface ConnectionLookup {
  field?: string;
}

/**
 * A config field naming a connection, shown by the form as a select of the connections of these
 * kinds. In the JSON Schema: `"widget": "connection"` and `"connectionKinds": ["postgres", ...]`.
 */
export function connectionField<T extends z.ZodType>(schema: T, kinds: readonly ConnectionKind[]): T {
  return schema.meta({ widget: "connection", connectionKinds: [...kinds] });
}
