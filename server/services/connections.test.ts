// Connections as the admin manages them, against a real store (SQLite file), a real PostgreSQL
// server, SQLite files, a local HTTP server and a small SMTP server: secrets sealed and never
// shown, changes audited by field name, "Test connection" saying why it fails, and connections
// defined by LOOPWRIGHT_SECRET_* variables.
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audit, connections, openSqliteStore, type Store } from "../../db/store";
import { startPostgres, type PostgresTestServer } from "../../lib/postgres-test-server";
import { seal } from "../../lib/secret-box";
import { createCaller } from "../api/root";
import { asRole, noTemporal, rejection } from "../api/routers/test-support";
import { createTRPCContext } from "../api/trpc";
import {
  createConnection,
  importEnvConnections,
  kinds,
  listConnections,
  listSummaries,
  removeConnection,
  testConnection,
  updateConnection,
  type ConnectionView,
} from "./connections";

const PG_PASSWORD_WRONG = "wr0ng-pw-7c1e";
const SMTP_PASSWORD = "smtp-pw-5d2f9a";
const TOKEN = "api-token-83be1c";

let dir: string;
let store: Store;
let pgServer: PostgresTestServer;
let httpServer: http.Server;
let httpBase: string;
let smtpServer: net.Server;
let smtpPort: number;
let closedPort: number;
const admin = asRole("admin");
/** Every password or token a test hands to the service, to look for in what comes back. */
const secretsGiven = new Set<string>([PG_PASSWORD_WRONG, SMTP_PASSWORD, TOKEN]);

const listen = (srv: net.Server) => new Promise<number>((resolve) => srv.listen(0, "127.0.0.1", () => resolve((srv.address() as net.AddressInfo).port)));

/** An SMTP server that accepts `ok-user` and refuses anyone else, quoting the credentials it got (as careless servers do). */
function fakeSmtp(): net.Server {
  return net.createServer((socket) => {
    socket.write("220 fake.test ESMTP\r\n");
    let waitingForCredentials = false;
    const answerAuth = (b64: string) => {
      const [, user, pass] = Buffer.from(b64, "base64").toString().split("\0");
      socket.write(user === "ok-user" ? "235 2.7.0 Authentication successful\r\n" : `535 5.7.8 Authentication failed for ${user} with ${pass}\r\n`);
    };
    socket.on("data", (data) => {
      for (const line of data.toString().split("\r\n").filter(Boolean)) {
        if (waitingForCredentials) {
          waitingForCredentials = false;
          answerAuth(line);
        } else if (/^(EHLO|HELO)/i.test(line)) socket.write("250-fake.test\r\n250 AUTH PLAIN\r\n");
        else if (/^AUTH PLAIN \S+/i.test(line)) answerAuth(line.split(" ")[2]!);
        else if (/^AUTH PLAIN/i.test(line)) (waitingForCredentials = true), socket.write("334 \r\n");
        else if (/^QUIT/i.test(line)) socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
    socket.on("error", () => {});
  });
}

beforeAll(async () => {
  process.env.LOOPWRIGHT_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-connections-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  pgServer = await startPostgres();
  secretsGiven.add(pgServer.password);
  httpServer = http.createServer((req, res) => {
    const ok = req.headers.authorization === `Bearer ${TOKEN}`;
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(ok ? "[]" : '{"error":"who are you"}');
  });
  const httpPort = await listen(httpServer);
  httpBase = `http://127.0.0.1:${httpPort}`;
  process.env.LOOPWRIGHT_HTTP_ALLOW = `127.0.0.1:${httpPort}`;
  smtpServer = fakeSmtp();
  smtpPort = await listen(smtpServer);
  const probe = net.createServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r));
});

afterAll(async () => {
  delete process.env.LOOPWRIGHT_HTTP_ALLOW;
  httpServer?.closeAllConnections();
  await new Promise((r) => httpServer?.close(r));
  await new Promise((r) => smtpServer?.close(r));
  await pgServer?.stop();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Fails when any secret handed to the service appears in `value` (serialised). */
function expectNoSecrets(value: unknown, what: string): void {
  const text = JSON.stringify(value, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : typeof v === "bigint" ? String(v) : v));
  for (const s of secretsGiven) expect(text, `${what} holds a secret`).not.toContain(s);
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err, "expected a rejection").toBeInstanceOf(Error);
  return err!;
}

const pgConfig = (over: Record<string, unknown> = {}) => ({ host: "127.0.0.1", port: pgServer.port, database: pgServer.database, user: pgServer.user, ...over });

describe("kinds", () => {
  it("describes the four kinds and their fields for the form, secret fields marked", () => {
    const all = kinds();
    expect(all.map((k) => k.kind)).toEqual(["postgres", "sqlite", "smtp", "http"]);
    const pg = all.find((k) => k.kind === "postgres")!;
    expect(pg.fields.map((f) => f.name)).toEqual(["host", "port", "database", "user", "password", "ssl", "statementTimeoutMs"]);
    expect(pg.fields.find((f) => f.name === "password")).toMatchObject({ type: "password", secret: true, required: false });
    expect(pg.fields.find((f) => f.name === "port")).toMatchObject({ type: "number", default: 5432, secret: false });
    const httpKind = all.find((k) => k.kind === "http")!;
    expect(httpKind.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(["password", "token", "headerValue", "signingSecret"]);
    expect(httpKind.fields.find((f) => f.name === "auth")).toMatchObject({ type: "select", options: ["none", "bearer", "basic", "header"] });
  });
});

describe("create, change, remove", () => {
  let pgView: ConnectionView;

  it("seals the secret, shows which secret fields are set, and defaults the hosts to its own", async () => {
    pgView = await createConnection(store, admin, { name: "warehouse", kind: "postgres", config: pgConfig(), secrets: { password: pgServer.password } });
    expect(pgView).toMatchObject({
      name: "warehouse",
      kind: "postgres",
      config: { ...pgConfig(), ssl: false, statementTimeoutMs: 30_000 },
      secretsSet: { password: true },
      secretFields: ["password"],
      hosts: ["127.0.0.1"],
      plainHttpHosts: [],
      origin: "app",
      lastTest: null,
    });
    const row = await connections.get(store, pgView.id);
    expect(row.secret).toMatch(/^v1:[0-9a-f]{8}:/);
    expectNoSecrets(row, "the stored row");
    expectNoSecrets(pgView, "the view");
    const [entry] = await audit.list(store, { action: "connection.create" });
    expect(entry).toMatchObject({ actor: admin.email, target: "warehouse", detail: { kind: "postgres", fields: ["host", "port", "database", "user", "password"], origin: "app" } });
  });

  it("keeps the stored secret when a change leaves it empty, and audits changed field names only", async () => {
    const changed = await updateConnection(store, admin, pgView.id, { config: { statementTimeoutMs: 5_000 }, secrets: { password: "" } });
    expect(changed.config.statementTimeoutMs).toBe(5_000);
    expect(changed.secretsSet).toEqual({ password: true });
    expect(await testConnection(store, admin, pgView.id)).toMatchObject({ ok: true, category: "ok" });

    await updateConnection(store, admin, pgView.id, { secrets: { password: PG_PASSWORD_WRONG } });
    expect(await testConnection(store, admin, pgView.id)).toMatchObject({ ok: false, category: "auth" });
    await updateConnection(store, admin, pgView.id, { secrets: { password: pgServer.password } });

    const changes = await audit.list(store, { action: "connection.change" });
    expect(changes.map((c) => c.detail)).toEqual([
      { kind: "postgres", fields: ["password"] },
      { kind: "postgres", fields: ["password"] },
      { kind: "postgres", fields: ["statementTimeoutMs"] },
    ]);
    expectNoSecrets(changes, "audit entries");
    // Nothing changed: nothing written, nothing audited.
    await updateConnection(store, admin, pgView.id, { secrets: { password: pgServer.password } });
    expect(await audit.list(store, { action: "connection.change" })).toHaveLength(3);
  });

  it("moves its own host in the hosts when the host changes, and refuses hosts it cannot use", async () => {
    const smtp = await createConnection(store, admin, {
      name: "mail",
      kind: "smtp",
      config: { host: "mail.example.com", from: "Shop <news@example.com>" },
      hosts: ["mail.example.com", "backup.example.com"],
    });
    expect(smtp.hosts).toEqual(["mail.example.com", "backup.example.com"]);
    const moved = await updateConnection(store, admin, smtp.id, { config: { host: "smtp.example.org" } });
    expect(moved.hosts).toEqual(["smtp.example.org", "backup.example.com"]);
    const err = await errorOf(updateConnection(store, admin, smtp.id, { hosts: ["backup.example.com"] }));
    expect(err.message).toBe("hosts: the connection's own host smtp.example.org must be one of its hosts");
  });

  it("refuses bad input with a message naming the field, never a secret", async () => {
    const cases: Array<[Parameters<typeof createConnection>[2], RegExp]> = [
      [{ name: "bad name!", kind: "sqlite", config: { file: "/tmp/x.db" } }, /^name: "bad name!" is not a connection name/],
      [{ name: "p1", kind: "postgres", config: pgConfig({ host: "not a host" }), secrets: { password: TOKEN } }, /^host: "not a host" is not a host name/],
      [{ name: "p2", kind: "postgres", config: pgConfig({ statementTimeoutMs: 10_000_000 }) }, /^statementTimeoutMs: at most 300000 ms on this server/],
      [{ name: "p3", kind: "postgres", config: pgConfig({ password: TOKEN }) }, /^password is a secret field: give it with the secrets/],
      [{ name: "p4", kind: "postgres", config: pgConfig({ colour: "red" }) }, /^A postgres connection has no field "colour"/],
      [{ name: "s1", kind: "sqlite", config: { file: "relative.db" } }, /^file: give the absolute path/],
      [{ name: "h1", kind: "http", config: { baseUrl: "http://api.example.com" } }, /^baseUrl: plain http to api\.example\.com sends credentials unencrypted/],
      [{ name: "h2", kind: "http", config: { baseUrl: "https://api.example.com", auth: "bearer" } }, /^bearer authentication needs token$/],
      [{ name: "h3", kind: "http", config: { baseUrl: `https://u:${TOKEN}@api.example.com` } }, /^baseUrl: put the user and password in the secret fields/],
      [{ name: "h5", kind: "http", config: { baseUrl: "https://api.example.com", auth: "bearer" }, secrets: { token: `${TOKEN}\r\nX-Evil: 1` } }, /^token: cannot be sent in a header/],
      [{ name: "h4", kind: "http", config: { baseUrl: "https://api.example.com" }, plainHttpHosts: ["other.example.com"] }, /^plainHttpHosts: other\.example\.com is not among/],
      [{ name: "h6", kind: "http", config: { baseUrl: "https://api.example.com" }, secrets: { signingSecret: "whsec_c2hvcnQ=" } }, /^signingSecret: a Standard Webhooks secret is whsec_/],
      [{ name: "warehouse", kind: "sqlite", config: { file: "/tmp/x.db" } }, /A connection named "warehouse" already exists/],
    ];
    for (const [input, message] of cases) {
      const err = await errorOf(createConnection(store, admin, input));
      expect(err.message, input.name).toMatch(message);
      expectNoSecrets(err, `the error for ${input.name}`);
    }
    expect((await listSummaries(store)).map((c) => c.name)).toEqual(["mail", "warehouse"]);
  });

  it("removes, audited; the view of a secret sealed under another key says so", async () => {
    const stray = await connections.create(store, { name: "stray", kind: "smtp", config: { host: "x.example.com", port: 25, secure: false, from: "a@b.c" }, secret: seal("{}", randomBytes(32)), hosts: ["x.example.com"], plainHttpHosts: [] });
    const view = (await listConnections(store)).find((c) => c.name === "stray")!;
    expect(view.problem).toMatch(/encrypted under another key \(id [0-9a-f]{8};/);
    expect(await testConnection(store, admin, stray.id)).toMatchObject({ ok: false, message: expect.stringMatching(/set LOOPWRIGHT_ENCRYPTION_KEY/) });
    expect(await removeConnection(store, admin, stray.id)).toEqual({ id: stray.id, name: "stray", kind: "smtp" });
    expect(await audit.list(store, { action: "connection.remove" })).toMatchObject([{ target: "stray", detail: { kind: "smtp" } }]);
    expect((await errorOf(removeConnection(store, admin, stray.id))).message).toBe(`No connection "${stray.id}"`);
  });
});

describe("test connection", () => {
  const tryIt = async (input: Parameters<typeof createConnection>[2]) => {
    const made = await createConnection(store, admin, input);
    return testConnection(store, admin, made.id, { timeoutMs: 5_000 });
  };

  it("PostgreSQL: works, wrong password is auth, closed port is refused, TLS to a server without it, unknown host is DNS", async () => {
    expect(await tryIt({ name: "pg-ok", kind: "postgres", config: pgConfig(), secrets: { password: pgServer.password } })).toMatchObject({
      ok: true,
      category: "ok",
      message: expect.stringMatching(new RegExp(`^connected to database ${pgServer.database} on 127\\.0\\.0\\.1:${pgServer.port} as ${pgServer.user} \\(PostgreSQL \\d+`)),
    });
    const auth = await tryIt({ name: "pg-auth", kind: "postgres", config: pgConfig(), secrets: { password: PG_PASSWORD_WRONG } });
    expect(auth).toMatchObject({ ok: false, category: "auth", message: expect.stringMatching(/^authentication failed: the server refused user .*password authentication failed/) });
    const refused = await tryIt({ name: "pg-closed", kind: "postgres", config: pgConfig({ port: closedPort }), secrets: { password: pgServer.password } });
    expect(refused).toMatchObject({ ok: false, category: "refused", message: `connection refused by 127.0.0.1:${closedPort} (nothing listens there, or a firewall refuses)` });
    const tls = await tryIt({ name: "pg-tls", kind: "postgres", config: pgConfig({ ssl: true }), secrets: { password: pgServer.password } });
    expect(tls).toMatchObject({ ok: false, category: "tls", message: `TLS: 127.0.0.1:${pgServer.port} does not support TLS connections; turn TLS off or enable it on the server` });
    const dns = await tryIt({ name: "pg-dns", kind: "postgres", config: pgConfig({ host: "nope.invalid" }), secrets: { password: pgServer.password } });
    expect(dns).toMatchObject({ ok: false, category: "dns", message: "host not found: nope.invalid does not resolve (DNS)" });

    // The result is kept on the connection and in the audit log.
    const views = await listConnections(store);
    expect(views.find((v) => v.name === "pg-auth")!.lastTest).toMatchObject({ ok: false, message: auth.message });
    const tests = await audit.list(store, { action: "connection.test", target: "pg-dns" });
    expect(tests).toMatchObject([{ outcome: "failed", detail: { kind: "postgres", category: "dns" } }]);
    expectNoSecrets({ views, tests, auth, refused, dns }, "test results");
  });

  it("a server that accepts the connection but never answers is a timeout (PostgreSQL, SMTP)", async () => {
    const silent = net.createServer((socket) => socket.on("error", () => {}));
    const port = await listen(silent);
    try {
      const quick = async (input: Parameters<typeof createConnection>[2]) => testConnection(store, admin, (await createConnection(store, admin, input)).id, { timeoutMs: 500 });
      const pgT = await quick({ name: "pg-silent", kind: "postgres", config: pgConfig({ port }), secrets: { password: pgServer.password } });
      expect(pgT).toMatchObject({ ok: false, category: "timeout", message: `127.0.0.1:${port} did not answer within 0.5 s (timeout)` });
      const smtpT = await quick({ name: "smtp-silent", kind: "smtp", config: { host: "127.0.0.1", port, from: "a@example.com" } });
      expect(smtpT).toMatchObject({ ok: false, category: "timeout", message: `127.0.0.1:${port} did not answer within 0.5 s (timeout)` });
    } finally {
      silent.close();
    }
  });

  it("SQLite: opens the file read-only, or says it is missing or not a database", async () => {
    const file = path.join(dir, "crm.sqlite");
    const db = new Database(file);
    db.exec("CREATE TABLE a (x); CREATE TABLE b (y)");
    db.close();
    expect(await tryIt({ name: "sq-ok", kind: "sqlite", config: { file } })).toEqual({ ok: true, category: "ok", message: `opened ${file} read-only: 2 tables`, at: expect.any(Number) });
    expect(await tryIt({ name: "sq-missing", kind: "sqlite", config: { file: path.join(dir, "nope.sqlite") } })).toMatchObject({ ok: false, category: "not-found" });
    const notDb = path.join(dir, "text.sqlite");
    writeFileSync(notDb, "plain text, not a database ".repeat(40));
    expect(await tryIt({ name: "sq-text", kind: "sqlite", config: { file: notDb } })).toMatchObject({ ok: false, message: `${notDb} is not a SQLite database` });
  });

  it("SMTP: a login the server accepts, a refused login (the server's echo of the password scrubbed), a closed port", async () => {
    const smtp = (name: string, user: string, port = smtpPort) =>
      tryIt({ name, kind: "smtp", config: { host: "127.0.0.1", port, user, from: "news@example.com" }, secrets: { password: SMTP_PASSWORD } });
    expect(await smtp("smtp-ok", "ok-user")).toMatchObject({ ok: true, message: `127.0.0.1:${smtpPort} accepted the login of ok-user` });
    const auth = await smtp("smtp-auth", "mallory");
    expect(auth).toMatchObject({ ok: false, category: "auth", message: expect.stringMatching(/^authentication failed: 127\.0\.0\.1 refused the login of mallory .*535 5\.7\.8 Authentication failed for mallory with \*\*\*/) });
    expect(await smtp("smtp-closed", "ok-user", closedPort)).toMatchObject({ ok: false, category: "refused" });
    expectNoSecrets([auth, await audit.list(store, { action: "connection." })], "SMTP results and the audit log");
  });

  it("HTTP: credentials accepted or refused (401 is auth), and a host the SSRF guard refuses", async () => {
    const api = (name: string, token: string, baseUrl = httpBase) =>
      tryIt({ name, kind: "http", config: { baseUrl, auth: "bearer" }, secrets: { token }, plainHttpHosts: [new URL(baseUrl).hostname] });
    expect(await api("api-ok", TOKEN)).toMatchObject({ ok: true, message: `${new URL(httpBase).host} answered HTTP 200 OK` });
    secretsGiven.add("not-the-token");
    expect(await api("api-auth", "not-the-token")).toMatchObject({ ok: false, category: "auth", message: `authentication failed: ${new URL(httpBase).host} answered HTTP 401 Unauthorized` });
    const blocked = await api("api-blocked", TOKEN, `http://127.0.0.1:${closedPort}`);
    expect(blocked).toMatchObject({ ok: false, category: "blocked", message: expect.stringMatching(/127\.0\.0\.1 is a loopback address/) });
  });
});

describe("LOOPWRIGHT_SECRET_* variables", () => {
  const env = () => ({
    LOOPWRIGHT_SECRET_CRM_DB: `postgres://${pgServer.user}:${encodeURIComponent(pgServer.password)}@127.0.0.1:${pgServer.port}/${pgServer.database}`,
    LOOPWRIGHT_SECRET_LOCAL_FILE: `sqlite:${path.join(dir, "crm.sqlite")}`,
    LOOPWRIGHT_SECRET_MAILER: `smtps://ok-user:${SMTP_PASSWORD}@mail.example.com?from=news%40example.com`,
    LOOPWRIGHT_SECRET_PARTNER_API: `https://partner:${TOKEN}@api.partner.example/v2`,
    LOOPWRIGHT_SECRET_PARTNER_API_HOSTS: "cdn.partner.example",
    LOOPWRIGHT_SECRET_OPEN_DATA: "https://data.example.org/",
    LOOPWRIGHT_SECRET_OLD_HEADER: `Bearer ${TOKEN}`,
    OTHER_VARIABLE: "postgres://u:p@h/d",
  });

  it("become connections of origin environment; other values are skipped naming the variable only", async () => {
    const warnings: string[] = [];
    const report = await importEnvConnections(store, env(), { warn: (m) => warnings.push(m) });
    expect(report.created.sort()).toEqual(["crm-db", "local-file", "mailer", "open-data", "partner-api"]);
    expect(report.skipped).toEqual([{ variable: "LOOPWRIGHT_SECRET_OLD_HEADER", reason: "it is not a URL (postgres://, sqlite:, smtp://, smtps:// or https://)" }]);
    expect(warnings).toEqual(["LOOPWRIGHT_SECRET_OLD_HEADER is not imported as a connection: it is not a URL (postgres://, sqlite:, smtp://, smtps:// or https://)"]);

    const views = Object.fromEntries((await listConnections(store)).filter((v) => v.origin === "environment").map((v) => [v.name, v]));
    expect(views["crm-db"]).toMatchObject({ kind: "postgres", config: pgConfig(), secretsSet: { password: true }, hosts: ["127.0.0.1"] });
    expect(views["local-file"]).toMatchObject({ kind: "sqlite", config: { file: path.join(dir, "crm.sqlite") }, hosts: [] });
    expect(views.mailer).toMatchObject({ kind: "smtp", config: { host: "mail.example.com", port: 465, secure: true, user: "ok-user", from: "news@example.com" }, secretsSet: { password: true } });
    expect(views["partner-api"]).toMatchObject({
      kind: "http",
      config: { baseUrl: "https://api.partner.example/v2", auth: "basic", user: "partner" },
      secretsSet: { password: true },
      hosts: ["api.partner.example", "cdn.partner.example"],
    });
    expect(views["open-data"]).toMatchObject({ config: { baseUrl: "https://data.example.org/", auth: "none" }, secretsSet: {} });
    expect(await testConnection(store, null, views["crm-db"]!.id)).toMatchObject({ ok: true });
    expectNoSecrets([views, warnings, report, await audit.list(store)], "imported connections, warnings and the audit log");
    expect((await audit.list(store, { action: "connection.create", target: "crm-db" }))[0]).toMatchObject({ actor: "system", detail: { origin: "environment" } });
  });

  it("updates them when a variable changes, leaves them alone when it does not, and never overwrites one made in the app", async () => {
    const again = await importEnvConnections(store, env(), { warn: () => {} });
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.unchanged.sort()).toEqual(["crm-db", "local-file", "mailer", "open-data", "partner-api"]);

    const changed = await importEnvConnections(store, { ...env(), LOOPWRIGHT_SECRET_OPEN_DATA: "https://data.example.org/v3", LOOPWRIGHT_SECRET_WAREHOUSE: "sqlite:/srv/other.db" }, { warn: () => {} });
    expect(changed.updated).toEqual(["open-data"]);
    expect(changed.skipped).toContainEqual({ variable: "LOOPWRIGHT_SECRET_WAREHOUSE", reason: 'a connection named "warehouse" was made in the app; rename one of them' });
    expect((await listConnections(store)).find((v) => v.name === "open-data")!.config.baseUrl).toBe("https://data.example.org/v3");
    expect((await listConnections(store)).find((v) => v.name === "warehouse")!.kind).toBe("postgres");
  });
});

describe("connection router", () => {
  const caller = async (role: "viewer" | "editor" | "admin") => createCaller(await createTRPCContext({ store, temporal: noTemporal, principal: asRole(role) }));

  it("gives editors names, kinds, hosts and origin only; admins everything but secret values", async () => {
    const editor = await caller("editor");
    const list = await editor.connection.list({ kind: "postgres" });
    expect(list.length).toBeGreaterThan(0);
    for (const c of list) expect(Object.keys(c).sort()).toEqual(["hosts", "kind", "name", "origin"]);
    expect(list.every((c) => c.kind === "postgres")).toBe(true);
    expect((await rejection(editor.connection.adminList())).code).toBe("FORBIDDEN");
    expect((await rejection(editor.connection.create({ name: "x", kind: "sqlite", config: { file: "/tmp/x.db" } }))).code).toBe("FORBIDDEN");
    expect((await (await caller("viewer")).connection.kinds()).length).toBe(4);
    expect((await rejection((await caller("viewer")).connection.list())).code).toBe("FORBIDDEN");

    const adminCaller = await caller("admin");
    const made = await adminCaller.connection.create({ name: "router-api", kind: "http", config: { baseUrl: "https://api.example.com", auth: "bearer" }, secrets: { token: TOKEN } });
    expect(made.secretsSet).toEqual({ token: true });
    const renamed = await adminCaller.connection.update({ id: made.id, name: "router-api-2", secrets: { token: "" } });
    expect(renamed).toMatchObject({ name: "router-api-2", secretsSet: { token: true } });
    const bad = await rejection(adminCaller.connection.create({ name: "router-bad", kind: "http", config: { baseUrl: "ftp://x" }, secrets: { token: TOKEN } }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toBe("baseUrl: give an http:// or https:// URL");
    const all = await adminCaller.connection.adminList();
    expectNoSecrets({ list, all, made, renamed, bad: bad.message }, "router answers");
    expect((await adminCaller.connection.remove({ id: made.id })).name).toBe("router-api-2");
  });
});
