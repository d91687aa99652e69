// Sources: each sender of events (website, app, backend) gets a write key, shown once and kept as
// a SHA-256 hash, like API keys. The ingest process looks sources up by that hash.
import { randomBytes } from "node:crypto";
import { events, type Store } from "../../db/store";
import { BadRequest } from "../../lib/errors";
import { record, sha256, type Principal } from "../access";

export const WRITE_KEY_PREFIX = "wk_";

export const sourceView = (s: events.SourceRow) => ({ id: s.id, name: s.name, prefix: s.prefix, unplanned: s.unplanned, createdAt: s.createdAt, revokedAt: s.revokedAt });

export async function createSource(store: Store, by: Principal, input: { name: string }) {
  const name = input.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/.test(name)) throw new BadRequest("A source's name is 1 to 100 letters, digits, spaces, . _ or -, starting with a letter or digit (e.g. \"website\")");
  const writeKey = `${WRITE_KEY_PREFIX}${randomBytes(24).toString("base64url")}`;
  const row = await events.createSource(store, { name, writeKeyHash: sha256(writeKey), prefix: writeKey.slice(0, 9), createdBy: by.userId });
  await record(store, by, "source.create", { target: name, detail: { source: row.id } });
  return { ...sourceView(row), writeKey };
}

export async function revokeSource(store: Store, by: Principal, id: string) {
  const row = await events.revokeSource(store, id);
  await record(store, by, "source.revoke", { target: row.name, detail: { source: row.id } });
  return sourceView(row);
}
