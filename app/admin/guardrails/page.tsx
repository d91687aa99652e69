// Admin > Guardrails: frequency caps, quiet hours, the default time zone and the global control
// group, which every flow's marketing sends meet.
import type { Metadata } from "next";
import { AdminGate } from "../_components/admin-gate";
import { GuardrailsForm } from "../_components/guardrails-form";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Guardrails" };

export default function GuardrailsPage() {
  return (
    <AdminGate path="/admin/guardrails">
      {() => (
        <main className="mx-auto max-w-4xl space-y-6 px-6 py-8">
          <div>
            <h1 className="text-xl font-semibold tracking-tight text-ink">Guardrails</h1>
            <p className="mt-1 text-sm text-ink-muted">
              Rules every flow&apos;s marketing meets at the moment it sends, whichever flow it is: consent on the channel, frequency caps, quiet hours and the global control group.
            </p>
          </div>
          <GuardrailsForm />
        </main>
      )}
    </AdminGate>
  );
}
