"use client";
// The main navigation, with the current section marked.
import Link from "next/link";
import { usePathname } from "next/navigation";

const NAV = [
  { label: "Flows", href: "/flows" },
  { label: "Runs", href: "/runs" },
  { label: "Datasets", href: "/datasets" },
  { label: "Models", href: "/models" },
];

export function MainNav() {
  const path = usePathname();
  return (
    <nav aria-label="Main" className="flex items-center gap-1 text-sm">
      {NAV.map((item) => {
        const current = path === item.href || path.startsWith(`${item.href}/`);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={current ? "page" : undefined}
            className={`rounded-md px-3 py-1.5 ${current ? "bg-sunken font-medium text-ink" : "text-ink-soft hover:bg-sunken hover:text-ink"}`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
