// Connections (credentials) by name. Filled in by the connections work; registered here so the
// role matrix covers it from the start.
import { createTRPCRouter } from "../trpc";

export const connectionRouter = createTRPCRouter({});
