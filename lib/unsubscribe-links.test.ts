import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { publicBaseUrl, unsubscribeKey, unsubscribeToken, verifyUnsubscribeToken } from "./unsubscribe-links";

describe("unsubscribe tokens", () => {
  const key = randomBytes(32);

  it("name the customer and the channel, and verify only unchanged and under the same key", () => {
    const token = unsubscribeToken(key, "7590-VHVEG");
    expect(token).toMatch(/^e\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(verifyUnsubscribeToken(key, token)).toEqual({ customer: "7590-VHVEG", channel: "email" });
    expect(verifyUnsubscribeToken(randomBytes(32), token)).toBeNull();
    // Every single-character change is refused, the spare bits of the last character included.
    for (let i = 0; i < token.length; i++) {
      for (const c of ["A", "B", "-", "x", "Q"]) {
        if (token[i] === c) continue;
        expect(verifyUnsubscribeToken(key, token.slice(0, i) + c + token.slice(i + 1)), `${i} -> ${c}`).toBeNull();
      }
    }
    // Another customer's id with this signature.
    const [, , sig] = token.split(".");
    expect(verifyUnsubscribeToken(key, `e.${Buffer.from("someone-else").toString("base64url")}.${sig}`)).toBeNull();
    expect(verifyUnsubscribeToken(key, "preview")).toBeNull();
    expect(verifyUnsubscribeToken(key, "")).toBeNull();
  });

  it("keep any customer id, unicode included", () => {
    for (const id of ["a", "ünï cödé/?#&=", "x".repeat(200)]) expect(verifyUnsubscribeToken(key, unsubscribeToken(key, id))?.customer).toBe(id);
  });

  it("are signed with LOOPWRIGHT_UNSUBSCRIBE_KEY, else a key file made once (0600) in the data directory", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-links-"));
    try {
      const first = unsubscribeKey({}, dir);
      expect(unsubscribeKey({}, dir)).toEqual(first);
      const file = path.join(dir, "keys", "unsubscribe.key");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(file, "utf8").trim(), "base64")).toEqual(first);
      expect(unsubscribeKey({ LOOPWRIGHT_UNSUBSCRIBE_KEY: key.toString("hex") }, dir)).toEqual(key);
      expect(() => unsubscribeKey({ LOOPWRIGHT_UNSUBSCRIBE_KEY: "short" }, dir)).toThrow(/32-byte key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("links point at the public URL, else the web app's own", () => {
    expect(publicBaseUrl({ LOOPWRIGHT_PUBLIC_URL: "https://lw.example.com/", LOOPWRIGHT_WEB_URL: "http://localhost:3000" })).toBe("https://lw.example.com");
    expect(publicBaseUrl({ LOOPWRIGHT_WEB_URL: "http://127.0.0.1:4000" })).toBe("http://127.0.0.1:4000");
    expect(publicBaseUrl({ PORT: "3100" })).toBe("http://localhost:3100");
  });
});
