// What a viewer sees instead of customers: who may see them, and why.
import Link from "next/link";

export function CustomersNotAllowed({ email, role }: { email: string; role: string }) {
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <div role="alert" className="rounded-xl border border-line bg-surface p-6 shadow-xs">
        <h1 className="text-lg font-semibold text-ink">You are not allowed to see customers</h1>
        <p className="mt-2 text-sm leading-relaxed text-ink-soft">
          Only editors and admins can see customers. Customer profiles hold personal details, such as e-mail addresses, names and what each customer did, so
          viewers cannot open them. You are signed in as {email}, with the {role} role; ask an admin for the editor role if you need them.
        </p>
        <Link href="/flows" className="mt-4 inline-block text-sm font-medium text-accent hover:underline">
          Back to the flows
        </Link>
      </div>
    </main>
  );
}
