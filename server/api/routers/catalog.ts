// The node catalog: plain JSON (ports, config JSON Schema) for the palette and config forms.
import { createTRPCRouter, publicProcedure } from "../trpc";

export const catalogRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => ctx.registry.catalog()),
});
