// `connections list|create|test|remove` through the web app with the current API key. Secrets go
// up once (from --secret k=v or standard input) and never come back: the app keeps them encrypted
// and shows only which secret fields are set.
import { CONNECTION_KINDS } from "../db/schema/vocabulary";
import { CliError, createApi, serverData, type RouterOutputs } from "./api";
import { readStdin } from "./files";
import { fmtTime, table } from "./format";

type Kind = (typeof CONNECTION_KINDS)[number];
type ConnectionView = RouterOutputs["connection"]["adminList"][number];
type ConnectionSummary = RouterOutputs["connection"]["list"][number];

const connectionApi = (base: string) => createApi(base).connection;

/** `k=v` pairs (the value may hold `=`), each key once. */
export function pairs(items: string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf("=");
    const key = at > 0 ? item.slice(0, at).trim() : "";
    if (!key) throw new CliError(`connections create: ${option} takes key=value, not "${option === "--secret" ? "(hidden)" : item}"`);
    if (key in out) throw new CliError(`connections create: ${option} ${key} is given twice`);
    out[key] = item.slice(at + 1);
  }
  return out;
}

export async function connectionsCreate(
  base: string,
  opts: { name?: string; kind?: string; fields: string[]; secrets: string[]; secretStdin?: string; hosts: string[]; plainHttpHosts: string[]; json: boolean },
): Promise<number> {
  const name = opts.name?.trim();
  if (!name) throw new CliError("connections create: give it a --name (flows use the connection by it)");
  const kind = opts.kind?.trim().toLowerCase();
  if (!kind || !(CONNECTION_KINDS as readonly string[]).includes(kind)) {
    throw new CliError(`connections create: ${kind ? `"${opts.kind}" is not a kind;` : "which --kind?"} use one of ${CONNECTION_KINDS.join(", ")}`);
  }
  // Values go as text: the app reads numbers (port=5432) and true/false (ssl=true) from text itself,
  // and a text field that looks like a number (database=2024) stays text.
  const config = pairs(opts.fields, "--field");
  const secrets = pairs(opts.secrets, "--secret");
  if (opts.secretStdin !== undefined) {
    const key = opts.secretStdin.trim();
    if (!key) throw new CliError("connections create: --secret-stdin takes the secret field's name (e.g. --secret-stdin password)");
    if (key in secrets) throw new CliError(`connections create: the secret ${key} is given twice (--secret and --secret-stdin)`);
    secrets[key] = await readStdin(`value of the secret "${key}"`);
  }
  const made = await connectionApi(base).create.mutate({
    name,
    kind: kind as Kind,
    config,
    secrets,
    ...(opts.hosts.length ? { hosts: opts.hosts } : {}),
    ...(opts.plainHttpHosts.length ? { plainHttpHosts: opts.plainHttpHosts } : {}),
  });
  if (opts.json) {
    console.log(JSON.stringify(made));
    return 0;
  }
  const hosts = made.hosts?.length ? ` for ${made.hosts.join(", ")}` : "";
  const stored = Object.keys(made.secretsSet).length ? `; secrets kept encrypted: ${Object.keys(made.secretsSet).join(", ")}` : "";
  console.log(`Created connection "${made.name}" (${made.kind})${hosts}${stored}. Try it: loopwright connections test ${shellWord(made.name)}`);
  return 0;
}

const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export async function connectionsList(base: string, opts: { json: boolean }): Promise<number> {
  const api = connectionApi(base);
  let all: ConnectionView[] | undefined;
  let summaries: ConnectionSummary[] = [];
  try {
    all = await api.adminList.query();
  } catch (err) {
    // An editor sees names, kinds and hosts only.
    if (serverData(err)?.code !== "FORBIDDEN") throw err;
    summaries = await api.list.query();
  }
  const list = all ?? summaries;
  if (opts.json) console.log(JSON.stringify(list));
  else if (!list.length) console.log("No connections yet." + (all ? " Create one with `loopwright connections create`." : ""));
  else if (!all) console.log(table(["NAME", "KIND", "HOSTS"], summaries.map((c) => [c.name, c.kind, c.hosts.join(", ")])));
  else {
    const rows = all.map((c) => [
      c.name,
      c.kind,
      c.hosts.map((h) => (c.plainHttpHosts.includes(h) ? `${h} (http)` : h)).join(", "),
      Object.keys(c.secretsSet).join(", "),
      c.problem ? "cannot open its secrets (see `connections test`)" : c.lastTest ? `${c.lastTest.ok ? "ok" : "failed"} ${fmtTime(c.lastTest.at)}` : "never",
    ]);
    console.log(table(["NAME", "KIND", "HOSTS", "SECRETS", "LAST TEST"], rows));
  }
  return 0;
}

/** test and remove are for admins, who see the ids. */
async function byName(base: string, name: string): Promise<ConnectionView> {
  const list = await connectionApi(base).adminList.query();
  const found = list.find((c) => c.name === name);
  if (!found) {
    const names = list.map((c) => c.name);
    const known = names.length ? ` (there are: ${names.slice(0, 10).join(", ")}${names.length > 10 ? `, and ${names.length - 10} more` : ""})` : "";
    throw new CliError(`No connection named "${name}"${known}`);
  }
  return found;
}

/** Exit 0 when the connection works, 1 with the reason when it does not. */
export async function connectionsTest(base: string, name: string, opts: { json: boolean }): Promise<number> {
  const conn = await byName(base, name);
  const result = await connectionApi(base).test.mutate({ id: conn.id });
  if (opts.json) console.log(JSON.stringify({ name: conn.name, kind: conn.kind, ok: result.ok, category: result.category, message: result.message }));
  else if (result.ok) console.log(`Connection "${conn.name}" (${conn.kind}) works: ${result.message}`);
  else console.error(`Connection "${conn.name}" (${conn.kind}) failed: ${result.message}`);
  return result.ok ? 0 : 1;
}

export async function connectionsRemove(base: string, name: string, opts: { json: boolean }): Promise<number> {
  const conn = await byName(base, name);
  await connectionApi(base).remove.mutate({ id: conn.id });
  if (opts.json) console.log(JSON.stringify({ removed: conn.name, id: conn.id }));
  else console.log(`Removed connection "${conn.name}" (${conn.kind}). Flows that use it fail until one of that name exists again.`);
  return 0;
}
