// Admin > Users: the people and their roles, invites, everyone's API keys.
import type { Metadata } from "next";
import { AdminGate } from "../_components/admin-gate";
import { AllKeys } from "../_components/all-keys";
import { Invites } from "../_components/invites";
import { UsersTable } from "../_components/users-table";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Users" };

export default function UsersPage() {
  return (
    <AdminGate path="/admin/users">
      {(me) => (
        <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
          <div>
            <h1 className="text-xl font-semibold tracking-tight text-ink">Users</h1>
            <p className="mt-1 text-sm text-ink-muted">Who can sign in, with which role; invites; API keys.</p>
          </div>
          <UsersTable myId={me.id} />
          <Invites />
          <AllKeys />
        </main>
      )}
    </AdminGate>
  );
}
