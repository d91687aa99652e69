// Columns known before any run: for each node of a graph (saved or not, a draft too), the columns
// of its table outputs, so the editor's column fields can offer them.
import { z } from "zod";
import { graphColumns } from "../../services/graph-columns";
import { createTRPCRouter, editorProcedure } from "../trpc";

const looseGraph = z.object({
  nodes: z.array(z.object({ id: z.string().min(1).max(200), type: z.string().min(1).max(200), config: z.unknown().optional() })).max(500),
  edges: z
    .array(z.object({ source: z.string().max(200), sourceHandle: z.string().max(200).nullish(), target: z.string().max(200), targetHandle: z.string().max(200).nullish() }))
    .max(2000),
});

export const columnsRouter = createTRPCRouter({
  /** A mutation only so that the graph travels in a POST body, not in the URL; it changes nothing. */
  of: editorProcedure.input(z.object({ graph: looseGraph })).mutation(({ ctx, input }) => graphColumns(ctx.store, ctx.registry, input.graph)),
});
