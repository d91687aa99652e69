// To be written.
import { createTRPCRouter } from "../trpc";

export const webhookRouter = createTRPCRouter({});
