// The node catalog: plain JSON (ports, config JSON Schema) for the palette and config forms.
import { createTRPCRouter, viewerProcedure } from "../trpc";

export const catalogRouter = createTRPCRouter({
  list: viewerProcedure.query(({ ctx }) => ctx.registry.catalog()),
});
