"use client";
// The node catalog (from the server) for every editor component, indexed by `type@version`.
import { Brain, ChartColumn, Database, GitBranch, Send, Shuffle, type LucideIcon, Zap } from "lucide-react";
import { createContext, useContext, type ReactNode } from "react";
import type { NodeKind } from "@/nodes/sdk/types";
import type { CatalogIndex } from "../_lib/canvas-graph";

const CatalogContext = createContext<CatalogIndex>(new Map());

export function CatalogProvider({ catalog, children }: { catalog: CatalogIndex; children: ReactNode }) {
  return <CatalogContext.Provider value={catalog}>{children}</CatalogContext.Provider>;
}

export const useCatalog = () => useContext(CatalogContext);

export const KIND_ORDER: NodeKind[] = ["trigger", "source", "transform", "model", "insight", "action", "control"];

export const KIND: Record<NodeKind, { label: string; icon: LucideIcon; text: string; bg: string; tint: string; border: string }> = {
  trigger: { label: "Triggers", icon: Zap, text: "text-kind-trigger", bg: "bg-kind-trigger", tint: "bg-kind-trigger/10", border: "border-kind-trigger" },
  source: { label: "Sources", icon: Database, text: "text-kind-source", bg: "bg-kind-source", tint: "bg-kind-source/10", border: "border-kind-source" },
  transform: { label: "Transforms", icon: Shuffle, text: "text-kind-transform", bg: "bg-kind-transform", tint: "bg-kind-transform/10", border: "border-kind-transform" },
  model: { label: "Models", icon: Brain, text: "text-kind-model", bg: "bg-kind-model", tint: "bg-kind-model/10", border: "border-kind-model" },
  insight: { label: "Insights", icon: ChartColumn, text: "text-kind-insight", bg: "bg-kind-insight", tint: "bg-kind-insight/10", border: "border-kind-insight" },
  action: { label: "Actions", icon: Send, text: "text-kind-action", bg: "bg-kind-action", tint: "bg-kind-action/10", border: "border-kind-action" },
  control: { label: "Control", icon: GitBranch, text: "text-kind-control", bg: "bg-kind-control", tint: "bg-kind-control/10", border: "border-kind-control" },
};
