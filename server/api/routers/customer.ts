// To be written.
import { createTRPCRouter } from "../trpc";

export const customerRouter = createTRPCRouter({});
