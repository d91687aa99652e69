// Task queue, UI link and the default activity settings per node kind. No secrets here: the
// address, namespace and TLS of an external cluster come from the environment (lib/temporal.ts).
import type { ActivitySettings, NodeKind } from "./nodes/sdk/types";

const config = {
  /** Where workers poll and runs are sent. `LOOPWRIGHT_TASK_QUEUE` overrides it. */
  taskQueue: "loopwright",
  namespace: "default",
  /** Base of the Temporal UI links stored with each run. `TEMPORAL_UI_URL` overrides it. */
  uiUrl: "http://localhost:8233",
  devServer: { port: 7233, uiPort: 8233, retentionDays: 7 },
  /** Search attributes set on every run, so admins can filter runs in the Temporal UI. */
  searchAttributes: { FlowId: "Keyword", FlowName: "Text", FlowVersion: "Int", TriggerKind: "Keyword" },
  nodeDefaults: {
    trigger: { startToCloseTimeout: "10 minutes", heartbeatTimeout: "1 minute", maximumAttempts: 5, initialInterval: "1 second", backoffCoefficient: 2, maximumInterval: "1 minute" },
    source: { startToCloseTimeout: "30 minutes", heartbeatTimeout: "1 minute", maximumAttempts: 5, initialInterval: "2 seconds", backoffCoefficient: 2, maximumInterval: "2 minutes" },
    transform: { startToCloseTimeout: "30 minutes", heartbeatTimeout: "1 minute", maximumAttempts: 3, initialInterval: "1 second", backoffCoefficient: 2, maximumInterval: "1 minute" },
    model: { startToCloseTimeout: "4 hours", heartbeatTimeout: "1 minute", maximumAttempts: 3, initialInterval: "5 seconds", backoffCoefficient: 2, maximumInterval: "5 minutes" },
    insight: { startToCloseTimeout: "10 minutes", heartbeatTimeout: "1 minute", maximumAttempts: 3, initialInterval: "1 second", backoffCoefficient: 2, maximumInterval: "1 minute" },
    action: { startToCloseTimeout: "30 minutes", heartbeatTimeout: "1 minute", maximumAttempts: 10, initialInterval: "5 seconds", backoffCoefficient: 2, maximumInterval: "10 minutes" },
    control: { startToCloseTimeout: "5 minutes", heartbeatTimeout: "1 minute", maximumAttempts: 3, initialInterval: "1 second", backoffCoefficient: 2, maximumInterval: "1 minute" },
  } satisfies Record<NodeKind, Required<ActivitySettings>>,
};

export default config;
