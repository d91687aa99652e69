// The one module through which every control-plane read and write goes. One file per table
// group, each exporting async functions over a store handle: `flows.list(store)`.
export { openStore, openSqliteStore, databaseUrl, type Store } from "./handle";
export * as flows from "./flows";
export * as runs from "./runs";
export * as datasets from "./datasets";
export * as models from "./models";
export * as files from "./files";
export * as access from "./access";
export * as audit from "./audit";
export * as settings from "./settings";
export * as connections from "./connections";
export * as events from "./events";
export * as plan from "./plan";
export * as profiles from "./profiles";
export * as triggers from "./triggers";
export * as ledger from "./ledger";
export * as journeys from "./journeys";
export * as guardrails from "./guardrails";
export * as goals from "./goals";
export * as overview from "./overview";
