// Admin > Audit log: who did what and when, filtered, paged, exported as CSV.
import type { Metadata } from "next";
import { AdminGate } from "../_components/admin-gate";
import { AuditView } from "../_components/audit-view";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditPage() {
  return <AdminGate path="/admin/audit">{() => <AuditView />}</AdminGate>;
}
