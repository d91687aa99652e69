// Shapes of what the home page reads through the server-side API caller.
import type { api } from "@/trpc/server";

export type Health = Awaited<ReturnType<typeof api.health.status>>;
export type Temporal = Health["temporal"];
export type Run = Awaited<ReturnType<typeof api.run.list>>[number];
export type CatalogEntry = Awaited<ReturnType<typeof api.catalog.list>>[number];
