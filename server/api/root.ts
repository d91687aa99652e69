// All routers. A new noun (dataset, model, trigger, ...) is one file in routers/ and one line here.
import { accountRouter } from "./routers/account";
import { auditRouter } from "./routers/audit";
import { catalogRouter } from "./routers/catalog";
import { connectionRouter } from "./routers/connection";
import { datasetRouter } from "./routers/dataset";
import { flowRouter } from "./routers/flow";
import { healthRouter } from "./routers/health";
import { modelRouter } from "./routers/model";
import { runRouter } from "./routers/run";
import { planRouter } from "./routers/plan";
import { setupRouter } from "./routers/setup";
import { sourceRouter } from "./routers/source";
import { usersRouter } from "./routers/users";
import { customerRouter } from "./routers/customer";
import { webhookRouter } from "./routers/webhook";
import { scheduleRouter } from "./routers/schedule";
import { emailRouter } from "./routers/email";
import { guardrailsRouter } from "./routers/guardrails";
import { goalRouter } from "./routers/goal";
import { overviewRouter } from "./routers/overview";
import { columnsRouter } from "./routers/columns";
import { templateRouter } from "./routers/template";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  health: healthRouter,
  catalog: catalogRouter,
  flow: flowRouter,
  run: runRouter,
  dataset: datasetRouter,
  model: modelRouter,
  setup: setupRouter,
  account: accountRouter,
  users: usersRouter,
  audit: auditRouter,
  connection: connectionRouter,
  source: sourceRouter,
  plan: planRouter,
  customer: customerRouter,
  webhook: webhookRouter,
  schedule: scheduleRouter,
  email: emailRouter,
  guardrails: guardrailsRouter,
  goal: goalRouter,
  overview: overviewRouter,
  columns: columnsRouter,
  template: templateRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side calls without HTTP: `createCaller(ctx).flow.list()`. */
export const createCaller = createCallerFactory(appRouter);
