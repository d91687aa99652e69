// Every node that applies a model takes it the same way: the connected model input, else a saved
// model by name (its current version, or the pinned one).
import { ConfigError, type ModelRef, type NodeContext, type SavedModel } from "../sdk";

export async function modelFromInputOrName(ctx: NodeContext, input: ModelRef | undefined, cfg: { modelName?: string; modelVersion?: number }, what: string): Promise<SavedModel> {
  if (input) return ctx.models.load({ id: input.id });
  if (cfg.modelName) return ctx.models.load({ name: cfg.modelName, version: cfg.modelVersion });
  throw new ConfigError(`Connect ${what} or give the name of a saved one`, { field: "modelName" });
}
