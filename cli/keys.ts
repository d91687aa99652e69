// People and API keys through the web app, with the current API key: `keys create|list|revoke`,
// `invite` and `users`. What a command makes that is shown only once (a key, an invite link) is
// alone on stdout, so `KEY=$(loopwright keys create --role editor)` works; the words go to stderr.
import os from "node:os";
import { isRole, ROLES, type Role } from "../lib/roles";
import { CliError, createApi, type RouterOutputs } from "./api";
import { fmtTime, table } from "./format";

type KeyView = RouterOutputs["account"]["keys"][number];

/** --role, checked here so a typo gets the list of roles, not a schema error. */
export function parseRole(value: string | undefined, command: string): Role {
  if (!value) throw new CliError(`${command}: which role? Give --role ${ROLES.join("|")}`);
  const role = value.trim().toLowerCase();
  if (!isRole(role)) throw new CliError(`${command}: "${value}" is not a role; use one of ${ROLES.join(", ")}`);
  return role;
}

export async function keysCreate(base: string, opts: { role?: string; name?: string; json: boolean }): Promise<number> {
  const role = parseRole(opts.role, "keys create");
  const name = opts.name?.trim() || `loopwright keys create on ${os.hostname()}`;
  const created = await createApi(base).account.createKey.mutate({ name, role });
  if (opts.json) {
    console.log(JSON.stringify(created));
    return 0;
  }
  console.error(`Created API key "${created.name}" (${created.role} role, id ${created.id}). It is shown only this once; use it as LOOPWRIGHT_API_KEY:`);
  console.log(created.key);
  return 0;
}

function keyRows(keys: KeyView[], withOwner: boolean): string {
  const header = ["ID", ...(withOwner ? ["OWNER"] : []), "NAME", "ROLE", "KEY", "CREATED", "LAST USED", "STATUS"];
  const rows = keys.map((k) => [
    k.id,
    ...(withOwner ? [k.owner ?? ""] : []),
    k.name,
    k.role,
    `${k.prefix}...`,
    fmtTime(k.createdAt),
    k.lastUsedAt ? fmtTime(k.lastUsedAt) : "never",
    k.revokedAt ? `revoked ${fmtTime(k.revokedAt)}` : "active",
  ]);
  return table(header, rows);
}

/** Own keys; with --all (admins), everyone's. */
export async function keysList(base: string, opts: { all: boolean; json: boolean }): Promise<number> {
  const api = createApi(base);
  const keys = opts.all ? await api.users.keys.query() : await api.account.keys.query();
  if (opts.json) console.log(JSON.stringify(keys));
  else if (!keys.length) console.log(opts.all ? "No API keys yet." : "You have no API keys yet. Create one with `loopwright keys create --role editor`.");
  else console.log(keyRows(keys, opts.all));
  return 0;
}

/**
 * By id, or by the key itself or its first characters as `keys list` shows them (lw_xxxxxxx), among
 * the caller's own keys. An admin may revoke anyone's key by id.
 */
export async function keysRevoke(base: string, ref: string, opts: { json: boolean }): Promise<number> {
  const api = createApi(base);
  let id = ref.trim();
  if (id.startsWith("lw_")) {
    const prefix = id.replace(/\.+$/, "").slice(0, 10);
    const matches = (await api.account.keys.query()).filter((k) => k.prefix === prefix && !k.revokedAt);
    if (!matches.length) throw new CliError(`You have no active API key starting with ${prefix}; \`loopwright keys list\` shows your keys and their ids`);
    id = matches[0]!.id;
  }
  const revoked = await api.account.revokeKey.mutate({ id });
  if (opts.json) console.log(JSON.stringify(revoked));
  else console.log(`Revoked API key "${revoked.name}" (${revoked.prefix}..., ${revoked.role} role). Requests with it are refused from now on.`);
  return 0;
}

/** `invite --role R [--email E] [--days N]`: the invite link alone on stdout. */
export async function invite(base: string, opts: { role?: string; email?: string; days?: string; json: boolean }): Promise<number> {
  const role = parseRole(opts.role, "invite");
  let days: number | undefined;
  if (opts.days !== undefined) {
    days = Number(opts.days);
    if (!Number.isInteger(days) || days < 1 || days > 30) throw new CliError(`invite: --days must be a whole number from 1 to 30, not "${opts.days}"`);
  }
  const made = await createApi(base).users.invite.mutate({ role, email: opts.email?.trim() || null, days });
  const link = `${base}/invite/${made.token}`;
  if (opts.json) {
    console.log(JSON.stringify({ link, id: made.id, role: made.role, email: made.email, expiresAt: made.expiresAt }));
    return 0;
  }
  console.error(`Invite for ${made.email ?? "anyone with the link"} as ${made.role}, valid until ${fmtTime(made.expiresAt)}. Send them this link (shown only now):`);
  console.log(link);
  return 0;
}

export async function users(base: string, opts: { json: boolean }): Promise<number> {
  const list = await createApi(base).users.list.query();
  if (opts.json) console.log(JSON.stringify(list));
  else console.log(table(["EMAIL", "NAME", "ROLE", "CREATED"], list.map((u) => [u.email, u.name, u.role, fmtTime(u.createdAt)])));
  return 0;
}
