// Connections (credentials) by name. Admins create, change, test and remove them and see
// everything but the secret values (write-only); editors list names, kinds and hosts to choose one
// in a node's form; anyone signed in may read the kinds and their fields (the form's description).
import { z } from "zod";
import { CONNECTION_KINDS } from "../../../db/schema/vocabulary";
import {
  createConnection,
  kinds,
  listConnections,
  listSummaries,
  removeConnection,
  testConnection,
  updateConnection,
} from "../../services/connections";
import { adminProcedure, createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

const idSchema = z.string().min(1).max(100);
const kindSchema = z.enum(CONNECTION_KINDS);
const fields = z.record(z.string().max(100), z.unknown());
const secretFields = z.record(z.string().max(100), z.string().max(10_000));
const hostList = z.array(z.string().trim().min(1).max(253)).max(100);
const byKind = z.object({ kind: kindSchema.optional() }).optional();

export const connectionRouter = createTRPCRouter({
  /** The kinds and their fields (label, type, secret, required, help), for the Connections form. */
  kinds: viewerProcedure.query(() => kinds()),

  /** Names, kinds, hosts and origin: enough to pick one in a node's form; never config or secrets. */
  list: editorProcedure.input(byKind).query(({ ctx, input }) => listSummaries(ctx.store, input?.kind)),

  /** Everything but the secret values: config, which secret fields are set, hosts, last test. */
  adminList: adminProcedure.input(byKind).query(({ ctx, input }) => listConnections(ctx.store, input?.kind)),

  create: adminProcedure
    .input(
      z.object({
        name: z.string().trim().min(1).max(64),
        kind: kindSchema,
        config: fields.default({}),
        secrets: secretFields.default({}),
        hosts: hostList.optional(),
        plainHttpHosts: hostList.optional(),
      }),
    )
    .mutation(({ ctx, input }) => createConnection(ctx.store, ctx.user, input)),

  /** Fields left out keep their values; secret fields left empty keep the stored secret. */
  update: adminProcedure
    .input(
      z.object({
        id: idSchema,
        name: z.string().trim().min(1).max(64).optional(),
        config: fields.optional(),
        secrets: secretFields.optional(),
        clearSecrets: z.array(z.string().max(100)).max(20).optional(),
        hosts: hostList.optional(),
        plainHttpHosts: hostList.optional(),
      }),
    )
    .mutation(({ ctx, input: { id, ...patch } }) => updateConnection(ctx.store, ctx.user, id, patch)),

  remove: adminProcedure.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => removeConnection(ctx.store, ctx.user, input.id)),

  /** Tries the connection for real; a failure is an answer ({ ok: false, category, message }), not an error. */
  test: adminProcedure.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => testConnection(ctx.store, ctx.user, input.id)),
});
