// The built-in nodes plus installed node packages.
import type { NodeDefinition } from "./sdk";
import { NodeRegistry } from "./node-registry";
import csvFile from "./source/csv-file.node.ts";
import jsonFile from "./source/json-file.node.ts";
import parquetFile from "./source/parquet-file.node.ts";
import httpJson from "./source/http-json.node.ts";
import sqlQuery from "./source/sql-query.node.ts";
import ledgerSource from "./source/ledger.node.ts";
import outcomes from "./source/outcomes.node.ts";
import dedupe from "./transform/dedupe.node.ts";
import selectCast from "./transform/select-cast.node.ts";
import standardise from "./transform/standardise.node.ts";
import missingValues from "./transform/missing-values.node.ts";
import filter from "./transform/filter.node.ts";
import union from "./transform/union.node.ts";
import sampleSplit from "./transform/sample-split.node.ts";
import derivedColumn from "./transform/derived-column.node.ts";
import join from "./transform/join.node.ts";
import aggregate from "./transform/aggregate.node.ts";
import rfm from "./transform/rfm.node.ts";
import validate from "./transform/validate.node.ts";
import identityResolution from "./transform/identity-resolution.node.ts";
import profile from "./insight/profile.node.ts";
import classificationReport from "./insight/classification-report.node.ts";
import abTest from "./insight/ab-test.node.ts";
import summary from "./insight/summary.node.ts";
import trainClassifier from "./model/train-classifier.node.ts";
import score from "./model/score.node.ts";
import segment from "./model/segment.node.ts";
import assignSegment from "./model/assign-segment.node.ts";
import sentimentLexicon from "./model/sentiment-lexicon.node.ts";
import trainTextClassifier from "./model/train-text-classifier.node.ts";
import scoreText from "./model/score-text.node.ts";
import trainUplift from "./model/train-uplift.node.ts";
import promoteIfBetter from "./model/promote-if-better.node.ts";
import segmentProfile from "./insight/segment-profile.node.ts";
import metrics from "./insight/metrics.node.ts";
import writeTable from "./action/write-table.node.ts";
import passthrough from "./control/passthrough.node.ts";
import split from "./control/split.node.ts";
import branch from "./control/branch.node.ts";
import wait from "./control/wait.node.ts";
import waitEvent from "./control/wait-event.node.ts";
import entry from "./control/entry.node.ts";
import writeProfiles from "./action/write-profiles.node.ts";
import webhookAction from "./action/webhook.node.ts";
import syncAction from "./action/sync.node.ts";
import sendEmail from "./action/send-email.node.ts";
import manualTrigger from "./trigger/manual.node.ts";
import eventTrigger from "./trigger/event.node.ts";
import webhookTrigger from "./trigger/webhook.node.ts";
import scheduleTrigger from "./trigger/schedule.node.ts";
import audienceTrigger from "./trigger/audience.node.ts";
import uploadTrigger from "./trigger/upload.node.ts";

export { NodeRegistry, type CatalogEntry, type CatalogPort } from "./node-registry";

export const BUILT_IN_NODES: readonly NodeDefinition[] = [
  // triggers
  manualTrigger,
  eventTrigger,
  webhookTrigger,
  scheduleTrigger,
  audienceTrigger,
  uploadTrigger,
  // sources
  csvFile,
  jsonFile,
  parquetFile,
  httpJson,
  sqlQuery,
  ledgerSource,
  outcomes,
  // transforms
  selectCast,
  standardise,
  missingValues,
  dedupe,
  filter,
  derivedColumn,
  join,
  aggregate,
  rfm,
  union,
  sampleSplit,
  validate,
  identityResolution,
  // models
  trainClassifier,
  score,
  segment,
  assignSegment,
  sentimentLexicon,
  trainTextClassifier,
  scoreText,
  trainUplift,
  promoteIfBetter,
  // insights
  metrics,
  classificationReport,
  abTest,
  summary,
  segmentProfile,
  profile,
  // actions
  writeTable,
  writeProfiles,
  webhookAction,
  syncAction,
  sendEmail,
  // control
  passthrough,
  split,
  branch,
  wait,
  waitEvent,
  entry,
] as NodeDefinition[];

let defaultRegistry: NodeRegistry | undefined;

/** Built-ins plus the node packages named in `LOOPWRIGHT_NODE_PACKAGES` (comma-separated module ids). */
export async function loadRegistry(): Promise<NodeRegistry> {
  if (defaultRegistry) return defaultRegistry;
  const registry = new NodeRegistry(BUILT_IN_NODES);
  for (const id of (process.env.LOOPWRIGHT_NODE_PACKAGES ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    // Resolved at run time, not by the bundler (Next would refuse an import it cannot see).
    const mod = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ id)) as { default?: NodeDefinition | NodeDefinition[]; nodes?: NodeDefinition[] };
    const defs = mod.nodes ?? (Array.isArray(mod.default) ? mod.default : mod.default ? [mod.default] : []);
    if (!defs.length) throw new Error(`Node package "${id}" exports no nodes (export default defineNode(...) or export const nodes = [...])`);
    for (const def of defs) registry.add(def);
  }
  defaultRegistry = registry;
  return registry;
}
