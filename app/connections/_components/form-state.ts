// The connection form's state and what it sends: pure, no React. Secret fields start empty and are
// sent only when typed (empty keeps the stored value); the hosts follow the host/base URL field
// until the admin changes that entry; plain http is only for HTTP API connections.

export type FieldType = "text" | "number" | "boolean" | "password" | "select";

export interface FieldSpec {
  name: string;
  label: string;
  type: FieldType;
  options?: string[];
  secret: boolean;
  required: boolean;
  help: string;
  default?: string | number | boolean;
}

export interface KindSpec<K extends string = string> {
  kind: K;
  label: string;
  fields: FieldSpec[];
}

/** What the form knows of a stored connection (connection.adminList). */
export interface StoredConnection {
  id: string;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  secretsSet: Record<string, boolean>;
  hosts: string[];
  plainHttpHosts: string[];
  origin: string;
}

export interface FormState {
  kind: string;
  name: string;
  /** Settings as typed: text, number and select fields as strings, yes/no as booleans. */
  values: Record<string, string | boolean>;
  /** Secret fields as typed: never filled from the server. */
  secrets: Record<string, string>;
  /** One host per line. */
  hostsText: string;
  plainHttp: string[];
}

export const usesHosts = (kind: string) => kind !== "sqlite";
export const usesPlainHttp = (kind: string) => kind === "http";

function valueOf(field: FieldSpec, v: unknown): string | boolean {
  if (field.type === "boolean") return v === true || v === "true";
  return v === undefined || v === null ? "" : String(v);
}

/** A fresh form for a kind (its defaults filled in), or for editing a stored connection. */
export function initialState(spec: KindSpec | undefined, stored?: StoredConnection, name = ""): FormState {
  const values: Record<string, string | boolean> = {};
  for (const f of spec?.fields ?? []) {
    if (f.secret) continue;
    values[f.name] = valueOf(f, stored ? stored.config[f.name] : f.default);
  }
  const state: FormState = {
    kind: spec?.kind ?? stored?.kind ?? "",
    name: stored?.name ?? name,
    values,
    secrets: {},
    hostsText: stored ? stored.hosts.join("\n") : "",
    plainHttp: stored ? [...stored.plainHttpHosts] : [],
  };
  return stored ? state : { ...state, hostsText: ownHost(state.kind, values) ?? "" };
}

/** The host a connection's own settings name (what the server checks is among its hosts). */
export function ownHost(kind: string, values: Record<string, string | boolean>): string | null {
  if (kind === "http") {
    const url = String(values.baseUrl ?? "").trim();
    if (!URL.canParse(url)) return null;
    return new URL(url).hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase() || null;
  }
  if (!usesHosts(kind)) return null;
  const host = String(values.host ?? "")
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  return host || null;
}

export function hostList(text: string): string[] {
  const hosts = text
    .split(/[\n,]/)
    .map((h) => h.trim())
    .filter(Boolean);
  return [...new Set(hosts)];
}

/**
 * A setting changed: when it moves the connection's own host, the hosts list follows (the old host
 * is replaced where it was listed, or the new one added), and so does plain http.
 */
export function setValue(state: FormState, name: string, value: string | boolean): FormState {
  const values = { ...state.values, [name]: value };
  const before = ownHost(state.kind, state.values);
  const after = ownHost(state.kind, values);
  if (before === after || !usesHosts(state.kind)) return { ...state, values };
  const lines = state.hostsText.split("\n");
  const at = before === null ? -1 : lines.findIndex((l) => l.trim().toLowerCase() === before);
  let hostsText = state.hostsText;
  if (at >= 0) {
    const next = after === null ? lines.filter((_, i) => i !== at) : lines.map((l, i) => (i === at ? after : l));
    hostsText = next.join("\n");
  } else if (after !== null && !hostList(state.hostsText).some((h) => h.toLowerCase() === after)) {
    hostsText = [...hostList(state.hostsText), after].join("\n");
  }
  const plainHttp = before !== null && state.plainHttp.includes(before) ? state.plainHttp.filter((h) => h !== before).concat(after ?? []) : state.plainHttp;
  return { ...state, values, hostsText, plainHttp };
}

/** Plain http allowed for the hosts still listed (matching the server's lower-case form). */
export function plainHttpShown(state: FormState): string[] {
  const hosts = hostList(state.hostsText).map((h) => h.toLowerCase());
  return state.plainHttp.filter((h) => hosts.includes(h.toLowerCase()));
}

function configOf(spec: KindSpec, state: FormState, editing: boolean): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const f of spec.fields) {
    if (f.secret) continue;
    const v = state.values[f.name];
    if (f.type === "boolean") {
      config[f.name] = v === true;
      continue;
    }
    const text = typeof v === "string" ? v.trim() : "";
    // Empty: a new connection takes the default; a stored one goes back to it (the server's rule for "").
    if (text === "") {
      if (editing) config[f.name] = "";
      continue;
    }
    config[f.name] = f.type === "number" && Number.isFinite(Number(text)) ? Number(text) : text;
  }
  return config;
}

function secretsOf(spec: KindSpec, state: FormState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of spec.fields) if (f.secret && state.secrets[f.name]) out[f.name] = state.secrets[f.name]!;
  return out;
}

export interface ConnectionInput<K extends string = string> {
  name: string;
  kind: K;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  hosts?: string[];
  plainHttpHosts?: string[];
}

/** What `connection.create` gets. */
export function createInput<K extends string>(spec: KindSpec<K>, state: FormState): ConnectionInput<K> {
  return { name: state.name.trim(), kind: spec.kind, config: configOf(spec, state, false), secrets: secretsOf(spec, state), ...hostsOf(state) };
}

/** What `connection.update` gets (besides the id): secret fields left empty keep their stored value. */
export function updateInput(spec: KindSpec, state: FormState): Omit<ConnectionInput, "kind"> {
  return { name: state.name.trim(), config: configOf(spec, state, true), secrets: secretsOf(spec, state), ...hostsOf(state) };
}

function hostsOf(state: FormState): { hosts?: string[]; plainHttpHosts?: string[] } {
  if (!usesHosts(state.kind)) return {};
  // An empty list is sent too: the server then takes the connection's own host.
  const hosts = hostList(state.hostsText);
  return usesPlainHttp(state.kind) ? { hosts, plainHttpHosts: plainHttpShown(state) } : { hosts };
}
