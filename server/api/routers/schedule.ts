// To be written.
import { createTRPCRouter } from "../trpc";

export const scheduleRouter = createTRPCRouter({});
