// `sources create|list|revoke` through the web app with the current API key (admin role): sources
// of customer events and their write keys for the ingest API. Like `keys create`, the write key is
// alone on stdout (`WRITE_KEY=$(loopwright sources create --name website)`); the words go to stderr.
import { CliError, createApi, type RouterOutputs } from "./api";
import { fmtTime, table } from "./format";

type SourceView = RouterOutputs["source"]["list"][number];

const sourceApi = (base: string) => createApi(base).source;

export async function sourcesCreate(base: string, opts: { name?: string; json: boolean }): Promise<number> {
  const name = opts.name?.trim();
  if (!name) throw new CliError("sources create: give it a --name that says where its events come from (e.g. --name website)");
  const created = await sourceApi(base).create.mutate({ name });
  if (opts.json) {
    console.log(JSON.stringify(created));
    return 0;
  }
  console.error(
    `Created source "${created.name}" (id ${created.id}). Its write key is shown only this once; senders give it as the basic-auth user name to the ingest API (Segment-compatible: POST /v1/track, /v1/identify, /v1/batch, ...):`,
  );
  console.log(created.writeKey);
  return 0;
}

export function sourceRows(sources: SourceView[]): string {
  return table(
    ["NAME", "PREFIX", "CREATED", "STATUS"],
    sources.map((s) => [s.name, `${s.prefix}...`, fmtTime(s.createdAt), s.revokedAt ? `revoked ${fmtTime(s.revokedAt)}` : "active"]),
  );
}

export async function sourcesList(base: string, opts: { json: boolean }): Promise<number> {
  const sources = await sourceApi(base).list.query();
  if (opts.json) console.log(JSON.stringify(sources));
  else if (!sources.length) console.log("No sources yet. Create one with `loopwright sources create --name website`.");
  else console.log(sourceRows(sources));
  return 0;
}

/**
 * The source a name or id means: its exact name, else its id, else (wk_ and the first characters
 * `sources list` shows) its write key's prefix, among the active ones when several match.
 */
export function findSource(sources: SourceView[], ref: string): SourceView {
  const want = ref.trim();
  const prefix = want.replace(/\.+$/, "");
  const candidates = [
    sources.filter((s) => s.name === want),
    sources.filter((s) => s.id === want),
    prefix.startsWith("wk_") && prefix.length >= 4 ? sources.filter((s) => s.prefix.startsWith(prefix) || prefix.startsWith(s.prefix)) : [],
  ];
  for (const found of candidates) {
    if (!found.length) continue;
    const active = found.filter((s) => !s.revokedAt);
    if (active.length > 1) throw new CliError(`"${want}" matches ${active.length} active sources (${active.map((s) => s.name).join(", ")}); give its name or id`);
    return active[0] ?? found[0]!;
  }
  const names = sources.map((s) => s.name);
  const known = names.length ? ` (there are: ${names.slice(0, 10).join(", ")}${names.length > 10 ? `, and ${names.length - 10} more` : ""})` : "";
  throw new CliError(`No source named "${want}" and none with that id${known}`);
}

export async function sourcesRevoke(base: string, ref: string, opts: { json: boolean }): Promise<number> {
  const api = sourceApi(base);
  const source = findSource(await api.list.query(), ref);
  if (source.revokedAt) throw new CliError(`The source "${source.name}" was already revoked ${fmtTime(source.revokedAt)}`);
  const revoked = await api.revoke.mutate({ id: source.id });
  if (opts.json) console.log(JSON.stringify(revoked));
  else console.log(`Revoked source "${revoked.name}" (${revoked.prefix}...). Events sent with its write key are refused (401) within about 10 seconds; those already accepted are kept.`);
  return 0;
}
