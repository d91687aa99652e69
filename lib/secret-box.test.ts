import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connections, triggers, type Store } from "../db/store";
import { openSqliteStore } from "../db/store/handle";
import { encryptionKey, keyId, open, rekey, seal, SecretBoxError } from "./secret-box";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-secret-box-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = randomBytes(32);

describe("seal and open", () => {
  it("round-trips text, unicode and the empty string", () => {
    for (const text of ["hunter2", "pässwörd ✓ 🔑", "", "x".repeat(100_000)]) expect(open(seal(text, key), key)).toBe(text);
  });

  it("gives a compact v1 string naming the key, with a fresh nonce every time", () => {
    const a = seal("same value", key);
    const b = seal("same value", key);
    expect(a).toMatch(new RegExp(`^v1:${keyId(key)}:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$`));
    expect(a).not.toBe(b);
    expect(a.split(":")[2]).not.toBe(b.split(":")[2]);
    expect(a).not.toContain("same value");
    expect(Buffer.from(a.split(":")[4]!, "base64").toString()).not.toContain("same");
  });

  it("detects any changed byte of the nonce, tag or ciphertext", () => {
    const sealed = seal("the secret", key);
    const parts = sealed.split(":");
    for (const i of [2, 3, 4]) {
      const bytes = Buffer.from(parts[i]!, "base64");
      bytes[0] = bytes[0]! ^ 0x01;
      const tampered = [...parts.slice(0, i), bytes.toString("base64"), ...parts.slice(i + 1)].join(":");
      expect(() => open(tampered, key), `part ${i}`).toThrow(/changed or damaged/);
    }
    expect(() => open(sealed.slice(0, -4), key)).toThrow(SecretBoxError);
    expect(() => open("not sealed", key)).toThrow(/not a sealed secret/);
  });

  it("says when a value was sealed under another key, naming key ids only", () => {
    const other = randomBytes(32);
    const sealed = seal("the secret", other);
    let err: Error | undefined;
    try {
      open(sealed, key);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(SecretBoxError);
    expect(err!.message).toBe(
      `This secret was encrypted under another key (id ${keyId(other)}; the key in use has id ${keyId(key)}); set LOOPWRIGHT_ENCRYPTION_KEY to the key it was made with`,
    );
    expect(err!.message).not.toContain(other.toString("base64"));
    // Pretending it was made under this key is detected too (the key id is authenticated).
    const forged = sealed.replace(keyId(other), keyId(key));
    expect(() => open(forged, key)).toThrow(/changed or damaged/);
  });
});

describe("the encryption key", () => {
  it("comes from LOOPWRIGHT_ENCRYPTION_KEY in base64 or hex, and says when it is not 32 bytes", () => {
    const k = randomBytes(32);
    expect(encryptionKey({ LOOPWRIGHT_ENCRYPTION_KEY: k.toString("base64") }, { dataDir: dir })).toEqual({ key: k, id: keyId(k), source: "environment" });
    expect(encryptionKey({ LOOPWRIGHT_ENCRYPTION_KEY: k.toString("hex") }, { dataDir: dir }).key.equals(k)).toBe(true);
    expect(() => encryptionKey({ LOOPWRIGHT_ENCRYPTION_KEY: "c2hvcnQ=" }, { dataDir: dir })).toThrow(/LOOPWRIGHT_ENCRYPTION_KEY must hold a 32-byte key.*holds 5 bytes/);
  });

  it("else is a key file created 0600 in the data directory's keys folder, the same on every call", () => {
    const data = path.join(dir, "data-a");
    expect(() => encryptionKey({}, { dataDir: data, create: false })).toThrow(/No encryption key here: LOOPWRIGHT_ENCRYPTION_KEY is not set/);
    const first = encryptionKey({}, { dataDir: data });
    const file = path.join(data, "keys", "encryption.key");
    expect(first).toMatchObject({ source: "file", file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(data, "keys")).mode & 0o777).toBe(0o700);
    expect(encryptionKey({}, { dataDir: data }).key.equals(first.key)).toBe(true);
    expect(encryptionKey({}, { dataDir: data, create: false }).key.equals(first.key)).toBe(true);
  });
});

describe("rekey", () => {
  let store: Store;
  beforeAll(() => {
    store = openSqliteStore(path.join(dir, "rekey.sqlite"));
  });
  afterAll(() => store.close());

  const add = (name: string, secret: string | null) => connections.create(store, { name, kind: "postgres", config: {}, secret, hosts: [], plainHttpHosts: [] });

  it("re-encrypts every secret under the new key in one go and replaces the key file", async () => {
    const data = path.join(dir, "data-rekey");
    const old = encryptionKey({}, { dataDir: data });
    await add("a", seal('{"password":"pw-a"}', old.key));
    await add("b", seal('{"password":"pw-b"}', old.key));
    await add("none", null);
    await triggers.setWebhookEndpoint(store, { flowId: "hooked", secret: seal("whsec_abc", old.key), tokenHash: null, createdBy: null });
    const next = randomBytes(32);
    expect(await rekey(store, next, {}, { dataDir: data })).toBe(3);
    const rows = await connections.list(store);
    expect(rows.map((r) => (r.secret ? open(r.secret, next) : null))).toEqual(['{"password":"pw-a"}', '{"password":"pw-b"}', null]);
    expect(open((await triggers.webhookEndpoint(store, "hooked"))!.secret!, next)).toBe("whsec_abc");
    expect(encryptionKey({}, { dataDir: data }).key.equals(next)).toBe(true);
    expect(statSync(old.file!).mode & 0o777).toBe(0o600);
    expect(existsSync(`${old.file}.new`)).toBe(false);
  });

  it("changes nothing when one secret cannot be opened with the current key", async () => {
    const data = path.join(dir, "data-rekey-bad");
    const current = encryptionKey({}, { dataDir: data });
    const before = readFileSync(current.file!, "utf8");
    await add("stray", seal('{"password":"x"}', randomBytes(32)));
    const snapshot = (await connections.list(store)).map((r) => r.secret);
    await expect(rekey(store, randomBytes(32), {}, { dataDir: data })).rejects.toThrow(/encrypted under another key/);
    expect((await connections.list(store)).map((r) => r.secret)).toEqual(snapshot);
    expect(readFileSync(current.file!, "utf8")).toBe(before);
    expect(existsSync(`${current.file}.new`)).toBe(false);
  });

  it("with the key in the environment, re-encrypts and leaves setting the variable to the admin", async () => {
    const s = openSqliteStore(path.join(dir, "rekey-env.sqlite"));
    try {
      const oldKey = randomBytes(32);
      const env = { LOOPWRIGHT_ENCRYPTION_KEY: oldKey.toString("base64") };
      await connections.create(s, { name: "e", kind: "smtp", config: {}, secret: seal("s", oldKey), hosts: [], plainHttpHosts: [] });
      const next = randomBytes(32);
      expect(await rekey(s, next, env, { dataDir: path.join(dir, "data-env") })).toBe(1);
      expect(open((await connections.list(s))[0]!.secret!, next)).toBe("s");
      expect(existsSync(path.join(dir, "data-env", "keys", "encryption.key"))).toBe(false);
    } finally {
      await s.close();
    }
  });
});
