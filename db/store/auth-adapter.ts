// The store as better-auth's database: its drizzle adapter over the store's own drizzle instance.
// On SQLite every adapter call takes the file's turn like any store call (db/store/handle.ts), so an
// auth write never lands inside another caller's open transaction.
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { Store } from "./handle";

type AdapterFactory = ReturnType<typeof drizzleAdapter>;

/** The adapter's database calls; everything else on it (ids, options) is left as it is. */
const QUERIES = new Set(["create", "findOne", "findMany", "count", "update", "updateMany", "delete", "deleteMany", "consumeOne", "incrementOne", "transaction"]);

export function authDatabase(s: Store): AdapterFactory {
  const factory = drizzleAdapter(s.db as never, { provider: s.dialect === "postgres" ? "pg" : "sqlite", schema: s.t, usePlural: true });
  if (s.dialect === "postgres") return factory;
  return ((options: Parameters<AdapterFactory>[0]) => {
    const adapter = factory(options);
    return new Proxy(adapter, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function" || typeof prop !== "string" || !QUERIES.has(prop)) return value;
        return (...args: unknown[]) => s.use(() => Promise.resolve(value.apply(target, args)));
      },
    });
  }) as AdapterFactory;
}
