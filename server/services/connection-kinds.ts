// The four kinds of connection: their fields (for the Connections form), the zod schemas that
// check them, the hosts a connection may go to, and sealing/opening the secret fields. Pure: no
// store or audit here, so the worker (node context) can use it too.
import net from "node:net";
import { z } from "zod";
import type { ConnectionKind } from "../../nodes/sdk/connections";
import { BadRequest } from "../../lib/errors";
import { dataDirPath, internalPaths, isInside, realOrResolved, sharedDirPath } from "../../lib/paths";
import { open, seal, type Env } from "../../lib/secret-box";

export type { ConnectionKind };

export interface FieldSpec {
  name: string;
  label: string;
  type: "text" | "number" | "boolean" | "password" | "select";
  options?: string[];
  secret: boolean;
  required: boolean;
  help: string;
  default?: string | number | boolean;
}

export interface KindSpec {
  kind: ConnectionKind;
  label: string;
  fields: FieldSpec[];
}

/** The admin's ceiling on PostgreSQL statement timeouts (ms): LOOPWRIGHT_PG_MAX_STATEMENT_TIMEOUT_MS, default 5 minutes. */
export function maxStatementTimeoutMs(env: Env = process.env): number {
  const n = Number(env.LOOPWRIGHT_PG_MAX_STATEMENT_TIMEOUT_MS);
  return Number.isInteger(n) && n > 0 ? n : 300_000;
}

const HOST_LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(\\.${HOST_LABEL})*$`, "i");

/** A host name or IP address, lower case, without brackets; BadRequest naming `what` otherwise. */
export function checkHost(raw: string, what: string): string {
  const h = String(raw).trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (!h || !(net.isIP(h) || HOST_NAME.test(h))) throw new BadRequest(`${what}: "${String(raw).slice(0, 100)}" is not a host name or IP address`);
  return h;
}

const text = (label: string) => z.string().trim().min(1, `give the ${label}`).max(1000);
const port = (dflt: number) => z.coerce.number().int().min(1).max(65535).default(dflt);
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).default(false);
const optionalText = z.string().trim().max(1000).optional().transform((v) => v || undefined);

const schemas = {
  postgres: z.object({
    host: text("host"),
    port: port(5432),
    database: text("database"),
    user: text("user"),
    ssl: bool,
    statementTimeoutMs: z.coerce.number().int().min(100).default(30_000),
  }),
  sqlite: z.object({
    file: text("file").refine((f) => f.startsWith("/"), "give the absolute path of the database file (starting with /)"),
  }),
  smtp: z.object({
    host: text("host"),
    port: port(587),
    secure: bool,
    user: optionalText,
    from: text("sender address").refine((f) => /^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(f), "give the sender address, e.g. news@example.com or Shop <news@example.com>"),
  }),
  http: z.object({
    baseUrl: text("base URL").refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), "give an http:// or https:// URL"),
    auth: z.enum(["none", "bearer", "basic", "header"]).default("none"),
    user: optionalText,
    headerName: z.string().trim().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]*$/, "not a valid header name").max(200).optional().transform((v) => v || undefined),
  }),
} satisfies Record<ConnectionKind, z.ZodType>;

/** The secret fields of each kind: write-only, sealed together as one JSON object. */
export const SECRET_FIELDS: Record<ConnectionKind, readonly string[]> = {
  postgres: ["password"],
  sqlite: [],
  smtp: ["password"],
  http: ["password", "token", "headerValue", "signingSecret"],
};

export type Config<K extends ConnectionKind = ConnectionKind> = z.output<(typeof schemas)[K]>;
export type Secrets = Record<string, string>;

const f = (name: string, label: string, type: FieldSpec["type"], help: string, more: Partial<FieldSpec> = {}): FieldSpec => ({
  name,
  label,
  type,
  secret: type === "password",
  required: false,
  help,
  ...more,
});

const KINDS: KindSpec[] = [
  {
    kind: "postgres",
    label: "PostgreSQL",
    fields: [
      f("host", "Host", "text", "Server name or address.", { required: true }),
      f("port", "Port", "number", "Default 5432.", { default: 5432 }),
      f("database", "Database", "text", "Database name.", { required: true }),
      f("user", "User", "text", "Preferably a user that may only read what flows need.", { required: true }),
      f("password", "Password", "password", "Kept encrypted; never shown again. Leave empty to keep the stored one."),
      f("ssl", "TLS", "boolean", "Connect with TLS and check the server's certificate.", { default: false }),
      f("statementTimeoutMs", "Statement timeout (ms)", "number", "The longest one statement may run; the server's maximum (LOOPWRIGHT_PG_MAX_STATEMENT_TIMEOUT_MS) caps it.", { default: 30_000 }),
    ],
  },
  {
    kind: "sqlite",
    label: "SQLite database file",
    fields: [f("file", "File", "text", "Absolute path of the database file on the server.", { required: true })],
  },
  {
    kind: "smtp",
    label: "SMTP server",
    fields: [
      f("host", "Host", "text", "Mail server name or address.", { required: true }),
      f("port", "Port", "number", "587 (STARTTLS) or 465 (TLS).", { default: 587 }),
      f("secure", "TLS from the start", "boolean", "On for port 465; off uses STARTTLS when the server offers it.", { default: false }),
      f("user", "User", "text", "Leave empty when the server needs no login."),
      f("password", "Password", "password", "Kept encrypted; never shown again. Leave empty to keep the stored one."),
      f("from", "Sender", "text", "The From address, e.g. Shop <news@example.com>.", { required: true }),
    ],
  },
  {
    kind: "http",
    label: "HTTP API",
    fields: [
      f("baseUrl", "Base URL", "text", "e.g. https://api.example.com/v1; nodes give paths below it. https unless its host is allowed plain http.", { required: true }),
      f("auth", "Authentication", "select", "How requests prove who they are.", { options: ["none", "bearer", "basic", "header"], default: "none" }),
      f("user", "User", "text", "Basic authentication: the user name."),
      f("password", "Password", "password", "Basic authentication: kept encrypted."),
      f("token", "Token", "password", "Bearer authentication: sent as Authorization: Bearer <token>; kept encrypted."),
      f("headerName", "Header name", "text", "Header authentication: e.g. X-Api-Key."),
      f("headerValue", "Header value", "password", "Header authentication: kept encrypted."),
      f("signingSecret", "Webhook signing secret", "password", "Standard Webhooks secret (whsec_ and base64 of 24 to 64 random bytes) that webhook nodes sign requests with, so the receiver can check them; kept encrypted."),
    ],
  },
];

/** The kinds and their fields, for the Connections form. */
export function kinds(): KindSpec[] {
  return KINDS.map((k) => ({ ...k, fields: k.fields.map((x) => ({ ...x })) }));
}

export function isKind(kind: string): kind is ConnectionKind {
  return kind in schemas;
}

/** The config checked against its kind; BadRequest naming the first bad field. Unknown fields are refused. */
export function parseConfig<K extends ConnectionKind>(kind: K, raw: Record<string, unknown>): Config<K> {
  const known = new Set([...Object.keys(schemas[kind].shape), ...SECRET_FIELDS[kind]]);
  const unknown = Object.keys(raw).filter((k) => !known.has(k));
  if (unknown.length) throw new BadRequest(`A ${kind} connection has no field ${unknown.map((k) => `"${k}"`).join(", ")}`);
  const secretInConfig = SECRET_FIELDS[kind].filter((k) => raw[k] !== undefined && raw[k] !== "");
  if (secretInConfig.length) throw new BadRequest(`${secretInConfig.join(", ")} is a secret field: give it with the secrets, not the settings`);
  const parsed = schemas[kind].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequest(`${issue.path.join(".") || kind}: ${issue.message}`);
  }
  return parsed.data as Config<K>;
}

/** Secrets given for a kind: strings only, known names only; empty ones are left out (they keep the stored value). */
export function parseSecrets(kind: ConnectionKind, raw: Record<string, unknown> = {}): Secrets {
  const out: Secrets = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!SECRET_FIELDS[kind].includes(k)) throw new BadRequest(`A ${kind} connection has no secret field "${k}" (its secret fields: ${SECRET_FIELDS[kind].join(", ") || "none"})`);
    if (v === undefined || v === null || v === "") continue;
    if (typeof v !== "string") throw new BadRequest(`The secret field "${k}" must be text`);
    if (v.length > 10_000) throw new BadRequest(`The secret field "${k}" is longer than 10,000 characters`);
    out[k] = v;
  }
  return out;
}

/** The host the connection itself names (null for SQLite). */
export function ownHost(kind: ConnectionKind, config: Record<string, unknown>): string | null {
  if (kind === "postgres" || kind === "smtp") return checkHost(String(config.host), "host");
  if (kind === "http") return checkHost(new URL(String(config.baseUrl)).hostname, "baseUrl");
  return null;
}

export interface Checked {
  config: Record<string, unknown>;
  hosts: string[];
  plainHttpHosts: string[];
}

/**
 * The whole connection checked together: config, secrets present where the kind needs them, the
 * hosts (default: its own host, which must be among them) and the plain-http hosts (a subset).
 */
export function checkConnection(
  kind: ConnectionKind,
  rawConfig: Record<string, unknown>,
  secrets: Secrets,
  hostsIn?: string[],
  plainIn?: string[],
  env: Env = process.env,
): Checked {
  const config = parseConfig(kind, rawConfig) as Record<string, unknown>;
  const own = ownHost(kind, config);
  const hosts = [...new Set((hostsIn?.length ? hostsIn : own ? [own] : []).map((h) => checkHost(h, "hosts")))];
  if (own && !hosts.includes(own)) throw new BadRequest(`hosts: the connection's own host ${own} must be one of its hosts`);
  if (kind === "sqlite" && hosts.length) throw new BadRequest("hosts: a SQLite connection is a file on the server; it has no hosts");
  const plainHttpHosts = [...new Set((plainIn ?? []).map((h) => checkHost(h, "plainHttpHosts")))];
  const stray = plainHttpHosts.filter((h) => !hosts.includes(h));
  if (stray.length) throw new BadRequest(`plainHttpHosts: ${stray.join(", ")} ${stray.length > 1 ? "are" : "is"} not among the connection's hosts`);
  if (kind !== "http" && plainHttpHosts.length) throw new BadRequest("plainHttpHosts: only HTTP API connections use plain http");

  if (kind === "postgres" && Number(config.statementTimeoutMs) > maxStatementTimeoutMs(env)) {
    throw new BadRequest(`statementTimeoutMs: at most ${maxStatementTimeoutMs(env)} ms on this server (LOOPWRIGHT_PG_MAX_STATEMENT_TIMEOUT_MS)`);
  }
  if (kind === "sqlite") {
    const file = realOrResolved(String(config.file));
    if (internalPaths(...dataDirs(env)).some((own) => isInside(file, own))) {
      throw new BadRequest(`file: ${config.file} is part of Loopwright's own data (its database, keys, logs or stores); choose another file`);
    }
  }
  if (kind === "http") {
    const u = new URL(String(config.baseUrl));
    if (u.username || u.password) throw new BadRequest("baseUrl: put the user and password in the secret fields, not in the URL");
    if (u.protocol === "http:" && !plainHttpHosts.includes(own!)) {
      throw new BadRequest(`baseUrl: plain http to ${own} sends credentials unencrypted; use https, or list ${own} in plainHttpHosts`);
    }
    for (const k of ["token", "headerValue"]) {
      // Checked here so a request never fails on it later (where the error would quote the value).
      if (secrets[k] !== undefined && !/^[^\r\n\0\u0100-\uffff]*$/.test(secrets[k]!)) throw new BadRequest(`${k}: cannot be sent in a header (line breaks or characters outside Latin-1)`);
    }
    if (secrets.signingSecret !== undefined && !signingKey(secrets.signingSecret)) {
      throw new BadRequest("signingSecret: a Standard Webhooks secret is whsec_ followed by the base64 of 24 to 64 random bytes");
    }
    const need = { bearer: ["token"], basic: ["user", "password"], header: ["headerName", "headerValue"], none: [] }[String(config.auth) as "none"];
    const missing = need.filter((k: string) => !(config[k] ?? secrets[k]));
    if (missing.length) throw new BadRequest(`${config.auth} authentication needs ${missing.join(" and ")}`);
  }
  return { config, hosts, plainHttpHosts };
}

/** The key of a Standard Webhooks signing secret (`whsec_` and base64 of 24 to 64 bytes; the prefix may be left out); null when it is not one. */
export function signingKey(secret: string): Buffer | null {
  const b64 = secret.trim().replace(/^whsec_/, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return null;
  const key = Buffer.from(b64, "base64");
  return key.length >= 24 && key.length <= 64 ? key : null;
}

/** The data and shared folders (for refusing Loopwright's own files), from the environment. */
const dataDirs = (env: Env): [string, string] => [dataDirPath(env as NodeJS.ProcessEnv), sharedDirPath(env as NodeJS.ProcessEnv)];

/** The sealed form of the secret fields (null when there are none). */
export function sealSecrets(secrets: Secrets, key: Buffer): string | null {
  return Object.keys(secrets).length ? seal(JSON.stringify(secrets), key) : null;
}

export function openSecrets(sealed: string | null, key: Buffer): Secrets {
  return sealed ? (JSON.parse(open(sealed, key)) as Secrets) : {};
}

/** Every secret value and its URL-encoded form, longest first, for scrubbing text. */
export function secretValues(secrets: Secrets): string[] {
  const all = Object.values(secrets).flatMap((v) => [v, encodeURIComponent(v)]);
  return [...new Set(all.filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
}

/** `text` with every secret value replaced by ***. */
export function scrub(text: string, secrets: Secrets): string {
  return secretValues(secrets).reduce((t, s) => t.split(s).join("***"), text);
}
