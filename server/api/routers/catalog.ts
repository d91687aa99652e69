// The node catalog: plain JSON (ports, config JSON Schema) for the palette and config forms.
import type { CatalogEntry } from "../../../nodes/node-registry";
import { createTRPCRouter, viewerProcedure } from "../trpc";

/**
 * The catalog as nothing but JSON. zod's toJSONSchema marks each config schema with a hidden
 * (non-enumerable) "~standard" property holding functions; over HTTP it is dropped anyway, but a
 * server component passing the catalog to a client component made React log "Only plain objects
 * can be passed to Client Components" on every editor load.
 */
export function plainCatalog(entries: CatalogEntry[]): CatalogEntry[] {
  return JSON.parse(JSON.stringify(entries)) as CatalogEntry[];
}

export const catalogRouter = createTRPCRouter({
  list: viewerProcedure.query(({ ctx }) => plainCatalog(ctx.registry.catalog())),
});
