// Small settings changed at run time (the one-time setup token, admin limits), by key.
import { eq } from "drizzle-orm";
import type { Store } from "./handle";

export function get<T>(s: Store, key: string): Promise<T | undefined> {
  return s.use(async (q) => (await q.select().from(s.t.settings).where(eq(s.t.settings.key, key)))[0]?.value as T | undefined);
}

export function set(s: Store, key: string, value: unknown): Promise<void> {
  return s.use(async (q) => {
    const at = Date.now();
    await q
      .insert(s.t.settings)
      .values({ key, value, updatedAt: at })
      .onConflictDoUpdate({ target: s.t.settings.key, set: { value, updatedAt: at } });
  });
}

export function remove(s: Store, key: string): Promise<boolean> {
  return s.use(async (q) => (await q.delete(s.t.settings).where(eq(s.t.settings.key, key)).returning({ key: s.t.settings.key })).length > 0);
}
