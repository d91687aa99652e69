// A stored connection, decrypted, as the object a node (or the connection test) uses: one per kind.
// Secrets stay out of sight: passwords are not enumerable and not in JSON, and an HTTP API
// connection never hands out its credentials at all, only a `fetch` that adds them for its own
// hosts. Used by the worker's node context and by the Test button.
import { createHmac } from "node:crypto";
import { TooManyRedirectsError } from "../../lib/http-guard";
import type { Env } from "../../lib/secret-box";
import type { HttpConnection, PostgresConnection, ResolvedConnection, SmtpConnection, SqliteConnection } from "../../nodes/sdk/connections";
import { ConfigError } from "../../nodes/sdk/errors";
import type { GuardedFetchInit } from "../../nodes/sdk/types";
import { maxStatementTimeoutMs, signingKey, type ConnectionKind, type Secrets } from "./connection-kinds";

/** What a stored connection row holds besides its sealed secret. */
export interface ConnectionParts {
  name: string;
  kind: ConnectionKind;
  config: Record<string, unknown>;
  hosts: string[];
  plainHttpHosts: string[];
}

/** The SSRF-guarded fetch (lib/http-guard.ts) the HTTP connection sends through. */
export type GuardFetch = (url: URL, init: GuardedFetchInit) => Promise<Response>;

export interface UseOptions {
  guard: GuardFetch;
  env?: Env;
  /** The node field that named the connection, for errors about it. */
  field?: string;
}

/** Adds a non-enumerable secret and a toJSON without it. */
function withSecret<T extends object, S extends Record<string, string | null>>(obj: T, secrets: S): T & S {
  for (const [k, v] of Object.entries(secrets)) Object.defineProperty(obj, k, { value: v, enumerable: false });
  Object.defineProperty(obj, "toJSON", { value: () => ({ ...obj }), enumerable: false });
  return obj as T & S;
}

function requireOwnHost(p: ConnectionParts, host: string, field: string): void {
  if (!p.hosts.includes(host.toLowerCase())) {
    throw new ConfigError(`Connection "${p.name}" names the host ${host}, which is not among the hosts it may be sent to (${p.hosts.join(", ") || "none"}); an admin must fix it`, { field });
  }
}

export function resolveConnection(p: ConnectionParts, secrets: Secrets, opts: UseOptions): ResolvedConnection {
  const field = opts.field ?? "connection";
  const c = p.config;
  const base = { name: p.name, hosts: [...p.hosts] };
  switch (p.kind) {
    case "postgres": {
      requireOwnHost(p, String(c.host), field);
      const limit = Math.min(Number(c.statementTimeoutMs) || 30_000, maxStatementTimeoutMs(opts.env));
      const pgc = {
        kind: "postgres" as const,
        ...base,
        host: String(c.host),
        port: Number(c.port),
        database: String(c.database),
        user: String(c.user),
        ssl: c.ssl === true,
        statementTimeoutMs: limit,
        statementTimeout: (requestedMs?: number) => (requestedMs && requestedMs > 0 ? Math.min(requestedMs, limit) : limit),
      };
      return withSecret(pgc, { password: secrets.password ?? null }) satisfies PostgresConnection;
    }
    case "sqlite":
      return { kind: "sqlite", ...base, file: String(c.file) } satisfies SqliteConnection;
    case "smtp": {
      requireOwnHost(p, String(c.host), field);
      const smtp = { kind: "smtp" as const, ...base, host: String(c.host), port: Number(c.port), secure: c.secure === true, user: (c.user as string | undefined) ?? null, from: String(c.from) };
      return withSecret(smtp, { password: secrets.password ?? null }) satisfies SmtpConnection;
    }
    case "http":
      return httpConnection(p, secrets, opts);
  }
}

/** The headers that carry an HTTP API connection's credentials. */
export function authHeaders(config: Record<string, unknown>, secrets: Secrets): [string, string][] {
  switch (config.auth) {
    case "bearer":
      return [["authorization", `Bearer ${secrets.token ?? ""}`]];
    case "basic":
      return [["authorization", `Basic ${Buffer.from(`${config.user ?? ""}:${secrets.password ?? ""}`).toString("base64")}`]];
    case "header":
      return [[String(config.headerName).toLowerCase(), secrets.headerValue ?? ""]];
    default:
      return [];
  }
}

/** A path below the base URL (`items`, `/items?x=1`) or an absolute URL. */
export function joinUrl(baseUrl: string, pathOrUrl: string | URL): URL {
  if (pathOrUrl instanceof URL) return new URL(pathOrUrl.href);
  if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) return new URL(pathOrUrl);
  const base = new URL(baseUrl);
  const [pathPart, query] = splitOnce(pathOrUrl, "?");
  if (pathPart) base.pathname = `${base.pathname.replace(/\/+$/, "")}/${pathPart.replace(/^\/+/, "")}`;
  if (query !== undefined) base.search = query;
  return base;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
}

function httpConnection(p: ConnectionParts, secrets: Secrets, opts: UseOptions): HttpConnection {
  const baseUrl = String(p.config.baseUrl);
  const credentials = authHeaders(p.config, secrets);
  const credentialNames = credentials.map(([k]) => k);
  const webhookKey = secrets.signingSecret ? signingKey(secrets.signingSecret) : null;

  /** Every request's host must be one of the connection's; plain http only for its plain-http hosts. */
  const checkTarget = (url: URL) => {
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new ConfigError(`Connection "${p.name}" only speaks http and https, not ${url.protocol}`, { field: "url" });
    }
    if (!p.hosts.includes(host)) {
      throw new ConfigError(`Connection "${p.name}" may not be sent to ${host}; it may only go to ${p.hosts.join(", ")} (an admin sets its hosts)`, { field: "url" });
    }
    if (url.protocol === "http:" && !p.plainHttpHosts.includes(host)) {
      throw new ConfigError(`Connection "${p.name}" may reach ${host} over https only (an admin can allow plain http for a host)`, { field: "url" });
    }
  };

  const conn: HttpConnection = {
    kind: "http",
    name: p.name,
    hosts: [...p.hosts],
    baseUrl,
    resolveUrl: (pathOrUrl) => joinUrl(baseUrl, pathOrUrl),
    async fetch(pathOrUrl, init = {}) {
      const url = joinUrl(baseUrl, pathOrUrl);
      checkTarget(url);
      const headers = new Headers(init.headers);
      try {
        for (const [k, v] of credentials) headers.set(k, v);
      } catch {
        // Never the Headers error itself: it quotes the value.
        throw new ConfigError(`Connection "${p.name}": its credentials cannot be sent as a header (line breaks or characters outside Latin-1); an admin must fix them`, { field: opts.field ?? "connection" });
      }
      try {
        // No redirects: the guard would follow them to any host. A redirect is refused here, so the
        // credentials (and the request) never reach a host outside the connection's.
        return await opts.guard(url, { ...init, headers, maxRedirects: 0, sensitiveHeaders: [...(init.sensitiveHeaders ?? []), ...credentialNames] });
      } catch (err) {
        if (err instanceof TooManyRedirectsError) {
          throw new ConfigError(
            `Connection "${p.name}": ${url.origin}${url.pathname} answered with a redirect; requests with a connection follow none, so its credentials never leave its hosts. Use the final URL`,
            { field: "url", cause: err },
          );
        }
        throw err;
      }
    },
  };
  if (webhookKey) {
    // Not enumerable: the method is there only for connections with a secret, and stays out of JSON.
    Object.defineProperty(conn, "signWebhook", {
      value: (msgId: string, timestampSeconds: number, body: string) => `v1,${createHmac("sha256", webhookKey).update(`${msgId}.${timestampSeconds}.${body}`).digest("base64")}`,
      enumerable: false,
    });
  }
  return conn;
}
