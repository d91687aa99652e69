// Connections as an admin manages them: create, change, test, remove, each written to the audit
// log (field names only, never values). Secret fields are write-only: sealed with lib/secret-box.ts
// before they reach the store, never returned, logged or put in a message. Editors see names,
// kinds, hosts and origin only (to pick one in a node's form).
import { connections, type Store } from "../../db/store";
import type { ConnectionRow } from "../../db/store/connections";
import { BadRequest } from "../../lib/errors";
import { guardedFetch } from "../../lib/http-guard";
import { encryptionKey, type Env, type KeyOptions } from "../../lib/secret-box";
import { record, type Principal } from "../access";
import { checkConnection, openSecrets, ownHost, parseConfig, parseSecrets, SECRET_FIELDS, sealSecrets, type ConnectionKind, type Secrets } from "./connection-kinds";
import { runConnectionTest, type TestResult } from "./connection-test";
export { importEnvConnections, type ImportReport } from "./connection-env";
export { kinds } from "./connection-kinds";

export interface ConnectionView {
  id: string;
  name: string;
  kind: ConnectionKind;
  config: Record<string, unknown>;
  /** Which secret fields hold a value (never the value). */
  secretsSet: Record<string, true>;
  /** The same, as a list of field names (what the CLI shows). */
  secretFields: string[];
  hosts: string[];
  plainHttpHosts: string[];
  /** "app" (made in the app or CLI) or "environment" (a LOOPWRIGHT_SECRET_* variable). */
  origin: string;
  createdAt: number;
  updatedAt: number;
  lastTest: { at: number; ok: boolean; message: string } | null;
  /** Set when the secret cannot be opened here (another key): says what to do. */
  problem?: string;
}

/** What an editor may know of a connection: enough to choose one in a node's form. */
export interface ConnectionSummary {
  name: string;
  kind: ConnectionKind;
  hosts: string[];
  origin: string;
}

export interface ServiceOptions extends KeyOptions {
  env?: Env;
}

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkName(name: string): string {
  const n = String(name ?? "").trim();
  if (!NAME_PATTERN.test(n)) throw new BadRequest(`name: "${n.slice(0, 80)}" is not a connection name (1-64 letters, digits, . _ -, starting with a letter or digit)`);
  return n;
}

const keyFor = (o: ServiceOptions) => encryptionKey(o.env ?? process.env, o).key;

export function toView(row: ConnectionRow, key: Buffer): ConnectionView {
  let secretsSet: Record<string, true> = {};
  let problem: string | undefined;
  try {
    secretsSet = Object.fromEntries(Object.keys(openSecrets(row.secret, key)).map((k) => [k, true as const]));
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    config: { ...row.config },
    secretsSet,
    secretFields: Object.keys(secretsSet),
    hosts: [...row.hosts],
    plainHttpHosts: [...row.plainHttpHosts],
    origin: row.origin,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastTest: row.lastTest ?? null,
    ...(problem ? { problem } : {}),
  };
}

export async function listConnections(store: Store, kind?: ConnectionKind, opts: ServiceOptions = {}): Promise<ConnectionView[]> {
  const key = keyFor(opts);
  return (await connections.list(store, kind)).map((r) => toView(r, key));
}

export async function listSummaries(store: Store, kind?: ConnectionKind): Promise<ConnectionSummary[]> {
  return (await connections.list(store, kind)).map((r) => ({ name: r.name, kind: r.kind, hosts: [...r.hosts], origin: r.origin }));
}

export interface CreateInput {
  name: string;
  kind: ConnectionKind;
  config?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  hosts?: string[];
  plainHttpHosts?: string[];
}

export async function createConnection(store: Store, principal: Principal | null, input: CreateInput, opts: ServiceOptions & { origin?: string } = {}): Promise<ConnectionView> {
  const name = checkName(input.name);
  const secrets = parseSecrets(input.kind, input.secrets);
  const checked = checkConnection(input.kind, input.config ?? {}, secrets, input.hosts, input.plainHttpHosts, opts.env);
  const key = keyFor(opts);
  const row = await connections.create(store, {
    name,
    kind: input.kind,
    ...checked,
    secret: sealSecrets(secrets, key),
    origin: opts.origin ?? "app",
    createdBy: principal?.userId ?? null,
  });
  const fields = [...Object.keys(input.config ?? {}).filter((k) => input.config![k] !== undefined), ...Object.keys(secrets)];
  await record(store, principal, "connection.create", { target: name, detail: { kind: input.kind, fields, origin: row.origin } });
  return toView(row, key);
}

export interface UpdateInput {
  name?: string;
  /** Fields to change; the others keep their values. */
  config?: Record<string, unknown>;
  /** Secret fields to change; empty or absent ones keep the stored value. */
  secrets?: Record<string, unknown>;
  /** Secret fields to empty (e.g. a password no longer used). */
  clearSecrets?: string[];
  hosts?: string[];
  plainHttpHosts?: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function updateConnection(store: Store, principal: Principal | null, id: string, patch: UpdateInput, opts: ServiceOptions = {}): Promise<ConnectionView> {
  const old = await connections.get(store, id);
  const key = keyFor(opts);
  const kind = old.kind;
  const given = parseSecrets(kind, patch.secrets);
  for (const k of patch.clearSecrets ?? []) {
    if (!SECRET_FIELDS[kind].includes(k)) throw new BadRequest(`A ${kind} connection has no secret field "${k}"`);
  }
  const oldSecrets = openSecrets(old.secret, key);
  const secrets: Secrets = { ...oldSecrets, ...given };
  for (const k of patch.clearSecrets ?? []) delete secrets[k];
  const merged = { ...old.config, ...(patch.config ?? {}) };
  // A field given as undefined or "" goes back to its default (or is emptied).
  for (const [k, v] of Object.entries(patch.config ?? {})) if (v === undefined || v === "") delete merged[k];
  // A new host or base URL takes the old one's place in the hosts (and plain-http hosts) unless they are given.
  const oldOwn = ownHost(kind, old.config);
  const newOwn = ownHost(kind, parseConfig(kind, merged));
  const moved = (list: string[]) => (oldOwn && newOwn && oldOwn !== newOwn && list.includes(oldOwn) ? list.map((h) => (h === oldOwn ? newOwn : h)) : list);
  const checked = checkConnection(kind, merged, secrets, patch.hosts ?? moved(old.hosts), patch.plainHttpHosts ?? moved(old.plainHttpHosts), opts.env);
  const name = patch.name === undefined ? old.name : checkName(patch.name);

  const changed = [
    ...(name !== old.name ? ["name"] : []),
    ...[...new Set([...Object.keys(old.config), ...Object.keys(checked.config)])].filter((k) => !same(old.config[k], checked.config[k])),
    ...SECRET_FIELDS[kind].filter((k) => oldSecrets[k] !== secrets[k]),
    ...(!same(old.hosts, checked.hosts) ? ["hosts"] : []),
    ...(!same(old.plainHttpHosts, checked.plainHttpHosts) ? ["plainHttpHosts"] : []),
  ];
  if (!changed.length) return toView(old, key);
  const row = await connections.update(store, id, {
    name,
    ...checked,
    // undefined keeps the stored ciphertext; null (no secrets left) removes it.
    secret: SECRET_FIELDS[kind].some((k) => oldSecrets[k] !== secrets[k]) ? sealSecrets(secrets, key) : undefined,
  });
  await record(store, principal, "connection.change", { target: row.name, detail: { kind, fields: changed, ...(name !== old.name ? { from: old.name } : {}) } });
  return toView(row, key);
}

export async function removeConnection(store: Store, principal: Principal | null, id: string): Promise<{ id: string; name: string; kind: ConnectionKind }> {
  const row = await connections.remove(store, id);
  await record(store, principal, "connection.remove", { target: row.name, detail: { kind: row.kind } });
  return { id: row.id, name: row.name, kind: row.kind };
}

/** Tries the connection, keeps the result on it (lastTest) and in the audit log. */
export async function testConnection(
  store: Store,
  principal: Principal | null,
  id: string,
  opts: ServiceOptions & { timeoutMs?: number } = {},
): Promise<TestResult & { at: number }> {
  const row = await connections.get(store, id);
  const env = opts.env ?? process.env;
  let result: TestResult;
  try {
    const secrets = openSecrets(row.secret, keyFor(opts));
    result = await runConnectionTest(row, secrets, { guard: (url, init) => guardedFetch(url, init, env), timeoutMs: opts.timeoutMs, env });
  } catch (err) {
    // The secret cannot be opened here: say so (the message names key ids, never a key).
    result = { ok: false, category: "other", message: err instanceof Error ? err.message : String(err) };
  }
  const at = Date.now();
  await connections.recordTest(store, row.id, { ok: result.ok, message: result.message });
  await record(store, principal, "connection.test", {
    target: row.name,
    outcome: result.ok ? "ok" : "failed",
    detail: { kind: row.kind, category: result.category },
  });
  return { ...result, at };
}
