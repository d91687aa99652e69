"use client";
// To be written.
export function SchedulePanel(_props: { flowId: string; readOnly?: boolean }) {
  return null;
}
