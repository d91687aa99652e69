// Guardrails: the rules every flow's marketing sends meet (frequency caps per channel, quiet hours,
// the time zone of customers without one, the global control group). Admins read and change them;
// each change is in the audit log with what it was before.
import { guardrails } from "../../../db/store";
import { GUARDRAIL_CHANNELS, guardrailSettingsSchema } from "../../../lib/guardrails-rules";
import { record } from "../../access";
import { adminProcedure, createTRPCRouter } from "../trpc";

export const guardrailsRouter = createTRPCRouter({
  get: adminProcedure.query(async ({ ctx }) => ({ settings: await guardrails.settings(ctx.store), channels: GUARDRAIL_CHANNELS })),

  save: adminProcedure.input(guardrailSettingsSchema).mutation(async ({ ctx, input }) => {
    const before = await guardrails.settings(ctx.store);
    const saved = await guardrails.saveSettings(ctx.store, input);
    await record(ctx.store, ctx.user, "guardrails.update", { detail: { before, after: saved } });
    return saved;
  }),
});
