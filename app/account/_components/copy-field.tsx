"use client";
// A value to copy (an invite link, a new API key): shown in a read-only box with a Copy button.
// Without the clipboard API (plain http on another machine) the text is selected instead, for
// Ctrl+C / Cmd+C.
import { Check, Copy } from "lucide-react";
import { useId, useRef, useState } from "react";
import { BUTTON } from "@/app/flows/_components/dialog";
import { fieldBg, INPUT } from "./forms";

export function CopyField({ label, value, buttonLabel }: { label: string; value: string; buttonLabel: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "select">("idle");

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
      setTimeout(() => setState("idle"), 2500);
    } catch {
      input.current?.select();
      setState("select");
    }
  };

  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-ink-soft">
        {label}
      </label>
      <div className="mt-1.5 flex gap-2">
        <input ref={input} id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} className={`${INPUT} ${fieldBg(true)} font-mono text-xs`} />
        <button type="button" onClick={() => void copy()} className={`${BUTTON.secondary} shrink-0`}>
          {state === "copied" ? <Check className="size-4 text-emerald-600" aria-hidden="true" /> : <Copy className="size-4" aria-hidden="true" />}
          {buttonLabel}
        </button>
      </div>
      <p role="status" className="mt-1 min-h-4 text-xs text-ink-muted">
        {state === "copied" ? "Copied." : state === "select" ? "Copying is blocked here: the text is selected, press Ctrl+C (Cmd+C on a Mac)." : ""}
      </p>
    </div>
  );
}
