"use client";
// What a trigger node shows beside its settings: the webhook URL and its secret, an upload to the
// drop, the schedule's next runs with pause, resume and backfill. Shown once the flow is saved.
import { DropPanel } from "./drop-panel";
import { EmailPreview } from "./email-preview";
import { SchedulePanel } from "./schedule-panel";
import { WebhookPanel } from "./webhook-panel";

export function TriggerPanel({ flowId, nodeId, type, readOnly }: { flowId: string; nodeId: string; type: string; readOnly?: boolean }) {
  // Not a trigger, but the same place: an e-mail node's message for one customer (needs no saved flow).
  if (type === "action.send-email") return readOnly ? null : <EmailPreview nodeId={nodeId} />;
  if (!flowId) return null;
  if (type === "trigger.upload") return readOnly ? null : <DropPanel nodeId={nodeId} />;
  if (type === "trigger.webhook") return <WebhookPanel flowId={flowId} readOnly={readOnly} />;
  if (type === "trigger.schedule") return <SchedulePanel flowId={flowId} readOnly={readOnly} />;
  return null;
}
