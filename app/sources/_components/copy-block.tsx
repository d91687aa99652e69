"use client";
// A snippet to copy (a curl command, a few lines of code): shown as code with a Copy button. Without
// the clipboard API (plain http on another machine) the code is selected instead, for Ctrl+C.
import { Check, Copy } from "lucide-react";
import { useId, useRef, useState } from "react";
import { BUTTON } from "@/app/flows/_components/dialog";

export function CopyBlock({ label, code, buttonLabel }: { label: string; code: string; buttonLabel: string }) {
  const id = useId();
  const pre = useRef<HTMLPreElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "select">("idle");

  const select = () => {
    const el = pre.current;
    const selection = typeof window !== "undefined" ? window.getSelection() : null;
    if (!el || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setState("copied");
      setTimeout(() => setState("idle"), 2500);
    } catch {
      select();
      setState("select");
    }
  };

  return (
    <figure className="min-w-0">
      <div className="flex items-end justify-between gap-2">
        <figcaption id={id} className="text-sm font-medium text-ink-soft">
          {label}
        </figcaption>
        <button type="button" onClick={() => void copy()} className={`${BUTTON.secondary} shrink-0`}>
          {state === "copied" ? <Check className="size-4 text-emerald-600" aria-hidden="true" /> : <Copy className="size-4" aria-hidden="true" />}
          {buttonLabel}
        </button>
      </div>
      <pre
        ref={pre}
        aria-labelledby={id}
        // Focusable, so a keyboard user can scroll a long line.
        tabIndex={0}
        className="mt-1.5 overflow-x-auto rounded-lg bg-ink px-4 py-3 font-mono text-xs leading-relaxed text-canvas"
      >
        {code}
      </pre>
      <p role="status" className="mt-1 min-h-4 text-xs text-ink-muted">
        {state === "copied" ? "Copied." : state === "select" ? "Copying is blocked here: the code is selected, press Ctrl+C (Cmd+C on a Mac)." : ""}
      </p>
    </figure>
  );
}
