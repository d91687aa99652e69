// Keys generated on first use and kept in the data directory: 32 random bytes, base64, in a file
// only the app's user can read (0600), created exclusively so two processes starting at once end
// up with the same key.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { FILE_MODE } from "./paths";

export function readOrCreateKeyFile(file: string): Buffer {
  try {
    writeFileSync(file, randomBytes(32).toString("base64") + "\n", { flag: "wx", mode: FILE_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return decodeKey(readFileSync(file, "utf8"), file);
}

/** 32 bytes from base64 (or 64 hex digits); the error names where the key came from, never the key. */
export function decodeKey(text: string, from: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (key.length !== 32) throw new Error(`${from} must hold a 32-byte key in base64 (44 characters) or hex (64 digits); it holds ${key.length} bytes`);
  return key;
}
