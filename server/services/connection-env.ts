// Connections an admin defines in the environment: each LOOPWRIGHT_SECRET_<NAME> holding a URL
// becomes (or updates) the connection `<name>` (lower case, `_` as `-`), origin "environment":
//   postgres://user:pass@host:port/db[?sslmode=require]   PostgreSQL
//   sqlite:/abs/path.db  (or sqlite:///abs/path.db)        SQLite file
//   smtp://user:pass@host:port[?from=a@b.c]  smtps://…     SMTP (STARTTLS / TLS)
//   https://user:pass@host/base  or  https://host/base     HTTP API (basic auth, or none)
// LOOPWRIGHT_SECRET_<NAME>_HOSTS (comma-separated) adds hosts the connection may also go to.
// A value that is not such a URL is skipped with a warning naming the variable, never the value.
import { connections, type Store } from "../../db/store";
import { ConnectionNameTaken } from "../../db/store/connections";
import { encryptionKey, type Env } from "../../lib/secret-box";
import { SECRET_ENV_PREFIX } from "../../nodes/sdk/connections";
import { openSecrets, type ConnectionKind, type Secrets } from "./connection-kinds";
import { createConnection, updateConnection, type ServiceOptions } from "./connections";

export interface ImportReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Variables not imported, and why (never their values). */
  skipped: Array<{ variable: string; reason: string }>;
}

interface Parsed {
  kind: ConnectionKind;
  config: Record<string, unknown>;
  secrets: Secrets;
  plainHttpHosts?: string[];
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The connection a URL describes, or a reason it describes none (the reason never quotes the value). */
export function parseConnectionUrl(value: string): Parsed | string {
  const v = value.trim();
  if (/^sqlite:/i.test(v)) {
    const file = decode(v.replace(/^sqlite:(\/\/(?=\/))?/i, ""));
    return file.startsWith("/") ? { kind: "sqlite", config: { file }, secrets: {} } : "a sqlite: URL needs an absolute path (sqlite:/path/to/file.db)";
  }
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "it is not a URL (postgres://, sqlite:, smtp://, smtps:// or https://)";
  }
  const user = decode(u.username);
  const password = decode(u.password);
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) return "the URL has no host";
  const secrets: Secrets = password ? { password } : {};
  switch (u.protocol) {
    case "postgres:":
    case "postgresql:": {
      const database = decode(u.pathname.replace(/^\//, ""));
      if (!database || !user) return "a postgres:// URL needs a user and a database (postgres://user:password@host:port/database)";
      const ssl = ["require", "verify-ca", "verify-full"].includes(u.searchParams.get("sslmode") ?? "");
      return { kind: "postgres", config: { host, port: Number(u.port || 5432), database, user, ssl }, secrets };
    }
    case "smtp:":
    case "smtps:": {
      const from = u.searchParams.get("from") || (user.includes("@") ? user : "");
      if (!from) return "an SMTP URL needs the sender address: add ?from=name@example.com (or log in with an e-mail address)";
      const secure = u.protocol === "smtps:";
      return { kind: "smtp", config: { host, port: Number(u.port || (secure ? 465 : 587)), secure, ...(user ? { user } : {}), from }, secrets };
    }
    case "https:":
    case "http:": {
      const base = new URL(u.href);
      base.username = "";
      base.password = "";
      const auth = user || password ? { auth: "basic", user } : { auth: "none" };
      return { kind: "http", config: { baseUrl: base.href, ...auth }, secrets, plainHttpHosts: u.protocol === "http:" ? [host.toLowerCase()] : [] };
    }
    default:
      return `the scheme ${u.protocol} is not one of postgres, sqlite, smtp, smtps, http or https`;
  }
}

export const connectionNameOf = (variable: string) => variable.slice(SECRET_ENV_PREFIX.length).toLowerCase().replace(/_/g, "-");

export async function importEnvConnections(
  store: Store,
  env: Env = process.env,
  opts: ServiceOptions & { warn?: (message: string) => void } = {},
): Promise<ImportReport> {
  const warn = opts.warn ?? ((m: string) => console.warn(`[connections] ${m}`));
  const report: ImportReport = { created: [], updated: [], unchanged: [], skipped: [] };
  const skip = (variable: string, reason: string) => {
    report.skipped.push({ variable, reason });
    warn(`${variable} is not imported as a connection: ${reason}`);
  };
  const names = Object.keys(env).filter((k) => k.startsWith(SECRET_ENV_PREFIX) && /^[A-Z0-9_]+$/.test(k) && env[k]?.trim()).sort();
  for (const variable of names) {
    if (variable.endsWith("_HOSTS") && names.includes(variable.slice(0, -"_HOSTS".length))) continue; // extra hosts of another variable
    const parsed = parseConnectionUrl(env[variable]!);
    if (typeof parsed === "string") {
      skip(variable, parsed);
      continue;
    }
    const name = connectionNameOf(variable);
    const extra = (env[`${variable}_HOSTS`] ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
    try {
      await upsert(store, name, parsed, extra, opts, report);
    } catch (err) {
      // Messages from the checks name fields, never the secret values.
      skip(variable, err instanceof Error ? err.message : String(err));
    }
  }
  return report;
}

async function upsert(store: Store, name: string, p: Parsed, extraHosts: string[], opts: ServiceOptions, report: ImportReport): Promise<void> {
  const own = p.kind === "sqlite" ? [] : [p.kind === "http" ? new URL(String(p.config.baseUrl)).hostname.replace(/^\[(.*)\]$/, "$1") : String(p.config.host)];
  const hosts = p.kind === "sqlite" ? undefined : [...new Set([...own.map((h) => h.toLowerCase()), ...extraHosts])];
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await connections.byName(store, name);
    if (!existing) {
      try {
        await createConnection(store, null, { name, kind: p.kind, config: p.config, secrets: p.secrets, hosts, plainHttpHosts: p.plainHttpHosts }, { ...opts, origin: "environment" });
        report.created.push(name);
        return;
      } catch (err) {
        if (err instanceof ConnectionNameTaken && attempt === 0) continue; // another process made it just now
        throw err;
      }
    }
    if (existing.origin !== "environment") throw new Error(`a connection named "${name}" was made in the app; rename one of them`);
    if (existing.kind !== p.kind) throw new Error(`the connection "${name}" is a ${existing.kind} connection, and the variable now describes a ${p.kind} one; remove it first`);
    const old = openSecrets(existing.secret, encryptionKey(opts.env ?? process.env, opts).key);
    const clear = Object.keys(old).filter((k) => !(k in p.secrets));
    const before = existing.updatedAt;
    const view = await updateConnection(store, null, existing.id, { config: fullConfig(existing.config, p.config), secrets: p.secrets, clearSecrets: clear, hosts, plainHttpHosts: p.plainHttpHosts ?? [] }, opts);
    (view.updatedAt !== before ? report.updated : report.unchanged).push(name);
    return;
  }
}

/** The variable's config replaces the stored one entirely: fields it leaves out go back to their defaults. */
function fullConfig(old: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  return { ...Object.fromEntries(Object.keys(old).map((k) => [k, undefined])), ...next };
}
