import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "@/trpc/react";
import { MainNav } from "./_components/nav";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Loopwright", template: "%s · Loopwright" },
  description: "Self-hosted workflow orchestrator for closed-loop AI marketing, on Temporal and DuckDB.",
  // Files in public/: the header's mark as SVG, favicon.ico (16, 32, 48 px) for browsers without
  // SVG icons, and the 180 px home-screen icon for iOS.
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "32x32" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: { url: "/apple-touch-icon.png", sizes: "180x180" },
  },
};

function LogoMark() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" className="size-6">
      <rect width="24" height="24" rx="6" className="fill-ink" />
      <g fill="none" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" className="stroke-canvas">
        <path d="M17.2 9A5.6 5.6 0 1 0 17.6 13.5" />
        <path d="M17.6 5.8V9.2H14.2" />
      </g>
    </svg>
  );
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        {/* One provider for the header and the page: one tRPC client and one query cache. */}
        <TRPCReactProvider>
          <header className="sticky top-0 z-10 border-b border-line bg-surface/90 backdrop-blur">
            <div className="flex h-14 items-center gap-8 px-6">
              <Link href="/" className="flex items-center gap-2.5 font-semibold tracking-tight text-ink">
                <LogoMark />
                Loopwright
              </Link>
              <MainNav />
            </div>
          </header>
          {children}
        </TRPCReactProvider>
      </body>
    </html>
  );
}
