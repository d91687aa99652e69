"use client";
// To be written.
export function WebhookPanel(_props: { flowId: string; readOnly?: boolean }) {
  return null;
}
