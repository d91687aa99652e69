// "Test connection": try a connection for real and say in words why it fails (host not found,
// refused, TLS certificate, authentication, timeout). Messages are scrubbed of every secret value.
// The drivers reach the admin's own databases here, never the control plane (like the SQL nodes;
// eslint.config.js lists those as the exceptions to "only db/ uses a database driver").
import Database from "better-sqlite3";
import { stat } from "node:fs/promises";
import nodemailer from "nodemailer";
import pg from "pg";
import { BlockedAddressError } from "../../lib/http-guard";
import type { Env } from "../../lib/secret-box";
import type { HttpConnection } from "../../nodes/sdk/connections";
import { NodeError, NotFoundError } from "../../nodes/sdk/errors";
import { scrub, type Secrets } from "./connection-kinds";
import { resolveConnection, type ConnectionParts, type GuardFetch } from "./connection-use";

export type TestCategory = "ok" | "dns" | "refused" | "unreachable" | "tls" | "auth" | "timeout" | "blocked" | "not-found" | "other";

export interface TestResult {
  ok: boolean;
  category: TestCategory;
  message: string;
}

export interface TestOptions {
  guard: GuardFetch;
  /** How long to wait for the server, per attempt. Default 10 s. */
  timeoutMs?: number;
  env?: Env;
}

const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH)/;
const fail = (category: TestCategory, message: string): TestResult => ({ ok: false, category, message });
const seconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;

/** Failures every network client shares, by their system error code. */
function networkFailure(code: string | undefined, host: string, port: number, timeoutMs: number): TestResult | null {
  if (!code) return null;
  if (["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EDNS"].includes(code)) return fail("dns", `host not found: ${host} does not resolve (DNS)`);
  if (code === "ECONNREFUSED") return fail("refused", `connection refused by ${host}:${port} (nothing listens there, or a firewall refuses)`);
  if (["EHOSTUNREACH", "ENETUNREACH"].includes(code)) return fail("unreachable", `${host}:${port} is unreachable from this server (no route)`);
  if (["ETIMEDOUT", "ESOCKETTIMEDOUT"].includes(code)) return fail("timeout", `${host}:${port} did not answer within ${seconds(timeoutMs)} (timeout)`);
  if (TLS_CODE.test(code)) return fail("tls", `TLS: the certificate of ${host} is not accepted (${code})`);
  return null;
}

const errCode = (err: unknown) => (err as { code?: unknown })?.code as string | undefined;
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function testPostgres(p: ConnectionParts, secrets: Secrets, timeoutMs: number): Promise<TestResult> {
  const c = p.config;
  const host = String(c.host);
  const port = Number(c.port);
  const client = new pg.Client({
    host,
    port,
    database: String(c.database),
    user: String(c.user),
    password: secrets.password ?? "",
    ssl: c.ssl === true ? { rejectUnauthorized: true, servername: host } : false,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: "loopwright-test",
  });
  client.on("error", () => {}); // a dropped socket after the test must not crash the process
  try {
    await client.connect();
    const { rows } = await client.query<{ who: string; version: string }>("SELECT current_user AS who, current_setting('server_version') AS version");
    return { ok: true, category: "ok", message: `connected to database ${c.database} on ${host}:${port} as ${rows[0]!.who} (PostgreSQL ${rows[0]!.version})` };
  } catch (err) {
    const code = errCode(err);
    const text = errText(err);
    if (code === "28P01" || code === "28000") return fail("auth", `authentication failed: the server refused user ${c.user} (${text})`);
    if (code === "3D000") return fail("not-found", `the server has no database ${c.database}`);
    if (/does not support SSL/i.test(text)) return fail("tls", `TLS: ${host}:${port} does not support TLS connections; turn TLS off or enable it on the server`);
    if (/timeout/i.test(text) && !code) return fail("timeout", `${host}:${port} did not answer within ${seconds(timeoutMs)} (timeout)`);
    return networkFailure(code, host, port, timeoutMs) ?? fail("other", `PostgreSQL at ${host}:${port}: ${text}`);
  } finally {
    await client.end().catch(() => {});
  }
}

async function testSqlite(p: ConnectionParts): Promise<TestResult> {
  const file = String(p.config.file);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return fail("not-found", `no database file at ${file}`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
    const { n } = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    return { ok: true, category: "ok", message: `opened ${file} read-only: ${n} table${n === 1 ? "" : "s"}` };
  } catch (err) {
    if (errCode(err) === "SQLITE_NOTADB") return fail("other", `${file} is not a SQLite database`);
    if (errCode(err) === "SQLITE_CANTOPEN") return fail("not-found", `${file} cannot be opened (permissions?)`);
    return fail("other", `${file}: ${errText(err)}`);
  } finally {
    db?.close();
  }
}

async function testSmtp(p: ConnectionParts, secrets: Secrets, timeoutMs: number): Promise<TestResult> {
  const c = p.config;
  const host = String(c.host);
  const port = Number(c.port);
  const transport = nodemailer.createTransport({
    host,
    port,
    secure: c.secure === true,
    auth: c.user ? { user: String(c.user), pass: secrets.password ?? "" } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    tls: { servername: host },
    logger: false,
  });
  try {
    await transport.verify();
    return { ok: true, category: "ok", message: `${host}:${port} accepted ${c.user ? `the login of ${c.user}` : "a connection (no login)"}` };
  } catch (err) {
    const e = err as { code?: string; originalCode?: string; responseCode?: number };
    const text = errText(err);
    if (e.code === "EAUTH" || e.responseCode === 535) return fail("auth", `authentication failed: ${host} refused the login of ${c.user ?? "(no user)"} (${text})`);
    if (e.code === "ETLS") return fail("tls", `TLS: ${text}`);
    return (
      networkFailure(e.originalCode, host, port, timeoutMs) ??
      networkFailure(e.code, host, port, timeoutMs) ??
      (/timeout/i.test(text) ? fail("timeout", `${host}:${port} did not answer within ${seconds(timeoutMs)} (timeout)`) : fail("other", `SMTP at ${host}:${port}: ${text}`))
    );
  } finally {
    transport.close();
  }
}

async function testHttp(p: ConnectionParts, secrets: Secrets, opts: TestOptions, timeoutMs: number): Promise<TestResult> {
  const conn = resolveConnection(p, secrets, { guard: opts.guard, env: opts.env }) as HttpConnection;
  const url = conn.resolveUrl("");
  try {
    const res = await conn.fetch(url, { method: "GET", timeoutMs, maxBytes: 1024 * 1024 });
    await res.body?.cancel().catch(() => {});
    const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
    if (res.status === 401 || res.status === 403) return fail("auth", `authentication failed: ${url.host} answered ${status}`);
    if (res.status >= 500) return fail("other", `${url.host} answered ${status} (a server error)`);
    return { ok: true, category: "ok", message: `${url.host} answered ${status}` };
  } catch (err) {
    const text = errText(err);
    if (err instanceof BlockedAddressError) return fail("blocked", text);
    if (err instanceof NotFoundError) return fail("dns", `host not found: ${url.hostname} does not resolve (DNS)`);
    const cause = (err as { cause?: unknown }).cause;
    if (/did not answer within/.test(text)) return fail("timeout", `${url.host} did not answer within ${seconds(timeoutMs)} (timeout)`);
    if (/TLS certificate/.test(text)) return fail("tls", `TLS: ${text}`);
    const network = networkFailure(errCode(cause), url.hostname, Number(url.port) || (url.protocol === "https:" ? 443 : 80), timeoutMs);
    if (network) return network;
    if (err instanceof NodeError) return fail("other", text);
    return fail("other", `${url.host}: ${text}`);
  }
}

/** Tries the connection; never throws for a failure of the connection itself. */
export async function runConnectionTest(p: ConnectionParts, secrets: Secrets, opts: TestOptions): Promise<TestResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let result: TestResult;
  try {
    switch (p.kind) {
      case "postgres":
        result = await testPostgres(p, secrets, timeoutMs);
        break;
      case "sqlite":
        result = await testSqlite(p);
        break;
      case "smtp":
        result = await testSmtp(p, secrets, timeoutMs);
        break;
      case "http":
        result = await testHttp(p, secrets, opts, timeoutMs);
        break;
    }
  } catch (err) {
    result = fail("other", errText(err));
  }
  return { ...result, message: scrub(result.message, secrets).slice(0, 2000) };
}
