// Parse the config, check the inputs, run the node. No Temporal here, so tests and benchmarks
// call exactly what the activity calls.
import { ConfigError, portOptional, portType, type NodeContext, type NodeDefinition, type NodeResult, type ValueRef } from "../../nodes/sdk";

export async function executeNode(def: NodeDefinition, rawConfig: unknown, inputs: Record<string, ValueRef>, ctx: NodeContext): Promise<NodeResult> {
  const parsed = def.config.safeParse(rawConfig ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".");
    throw new ConfigError(`${def.label}: ${field ? `${field}: ` : ""}${issue.message}`, { field });
  }
  for (const [port, spec] of Object.entries(def.inputs)) {
    const ref = inputs[port];
    if (!ref) {
      if (!portOptional(spec)) throw new ConfigError(`${def.label}: input "${port}" is not connected`, { field: port });
      continue;
    }
    if (ref.kind !== portType(spec)) throw new ConfigError(`${def.label}: input "${port}" expects a ${portType(spec)}, got a ${ref.kind}`, { field: port });
  }
  let result: NodeResult;
  try {
    result = await def.run({ config: parsed.data, inputs: inputs as never, ctx });
  } catch (err) {
    // What the node recorded before it failed still goes to the ledger's table (if this fails too, a retry reads the journal).
    await ctx.ledger.flush().catch(() => undefined);
    throw err;
  }
  await ctx.ledger.flush();
  for (const port of Object.keys(result.outputs)) {
    if (!(port in def.outputs)) throw new Error(`${def.type} returned an undeclared output "${port}"`);
  }
  return result;
}
