// Sample runs ("Run up to here on a sample"), done once for every node in the generic activity:
// a source's or trigger's table outputs are cut to a reproducible sample, and a model trained in a
// sample run is saved under a name of its own, so it never becomes the version in use.
import { ConfigError } from "../../nodes/sdk/errors";
import type { DatasetRef, DatasetStore, ModelRegistry, NodeKind, ValueRef } from "../../nodes/sdk/types";
import type { RunSample } from "../graph/plan";

/** The kinds whose tables a sample run cuts: where rows come into a flow. */
const SAMPLED_KINDS: ReadonlySet<NodeKind> = new Set(["source", "trigger"]);

export const samples = (kind: NodeKind) => SAMPLED_KINDS.has(kind);

/** Appended to a model's name when a sample run trains it: "churn" becomes "churn (sample)". */
export const SAMPLE_MODEL_SUFFIX = " (sample)";

/**
 * `rows` rows of the dataset, the same ones for the same seed, in the dataset's order. Picked by a
 * hash of each row's position and the seed rather than DuckDB's SAMPLE clause, whose reservoir
 * is only repeatable single-threaded. A dataset no larger than the sample is kept as it is.
 */
export async function sampleTable(datasets: DatasetStore, ref: DatasetRef, sample: RunSample): Promise<DatasetRef> {
  if (ref.rows <= sample.rows) return ref;
  const seed = Math.trunc(sample.seed);
  const picked = `SELECT * FROM ${datasets.fromWithPosition(ref)} ORDER BY hash(file_row_number, ${seed}), file_row_number LIMIT ${Math.trunc(sample.rows)}`;
  return datasets.create(`SELECT * EXCLUDE (file_row_number) FROM (${picked}) ORDER BY file_row_number`);
}

/** Every table output cut to the sample, and how many rows each port had before (for the node's metrics). */
export async function sampleOutputs(
  datasets: DatasetStore,
  outputs: Record<string, ValueRef>,
  sample: RunSample,
): Promise<{ outputs: Record<string, ValueRef>; before: Record<string, number> }> {
  const cut: Record<string, ValueRef> = {};
  const before: Record<string, number> = {};
  for (const [port, ref] of Object.entries(outputs)) {
    if (ref.kind !== "table") {
      cut[port] = ref;
      continue;
    }
    before[port] = ref.rows;
    cut[port] = await sampleTable(datasets, ref, sample);
  }
  return { outputs: cut, before };
}

/**
 * The model registry a node gets in a sample run: what it trains is saved as "<name> (sample)",
 * marked with the sample's size, so the model in use is never one trained on a sample (the first
 * version of a name becomes current by itself). Promoting is refused: a sample run does not
 * change which version is in use.
 */
export function sampleModels(models: ModelRegistry, sample: RunSample): ModelRegistry {
  return {
    save: (model) =>
      models.save({
        ...model,
        name: model.name.endsWith(SAMPLE_MODEL_SUFFIX) ? model.name : `${model.name}${SAMPLE_MODEL_SUFFIX}`,
        metrics: { ...model.metrics, trainedOnSample: sample.rows },
      }),
    load: (ref) => models.load(ref),
    current: (name) => models.current(name),
    promote: async (name) => {
      throw new ConfigError(`A run on a sample does not change which version of model "${name}" is in use; run on the full data to promote one`);
    },
  };
}
