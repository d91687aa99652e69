// The template gallery: ready flows on the data the project ships (examples/flows/*.flow.json),
// each phrased as the business question it answers, with what to change for your own data.
// Using one makes a new flow from its graph (a fresh id if the name is taken).
import { readFileSync } from "node:fs";
import path from "node:path";
import { flows } from "../../db/store";
import type { SavedVersion } from "../../db/store/flows";
import type { Store } from "../../db/store";
import { examplesDir } from "../../lib/paths";
import { NotFound } from "../../lib/errors";
import type { NodeRegistry } from "../../nodes/registry";
import { checkedGraph } from "./flows";

export interface Template {
  id: string;
  /** The business question, as a marketer would ask it. */
  question: string;
  /** What running it gives, in a sentence or two. */
  answers: string;
  /** What to change to ask it of your own data. */
  change: string;
  /** The data it reads, as a person would name it. */
  data: string;
  /** question: runs at once on the shipped data. journey: acts over days; opened, not run. */
  kind: "question" | "journey";
}

export const TEMPLATES: readonly Template[] = [
  {
    id: "telco-churn",
    question: "Which customers are about to churn, and how do we keep them?",
    answers: "Learns from past churners who is likely to leave, checks how well that works on customers it did not learn from, and scores every customer so you can reach the most at risk first.",
    change: "Choose your own customer file in the first step and your churn column as the target in “Train classifier”.",
    data: "7,043 telecom customers (IBM Telco)",
    kind: "question",
  },
  {
    id: "lapsed-winback",
    question: "Which lapsed customers are worth winning back?",
    answers: "Works out recency, frequency and spend per customer from the purchase log and lists those who bought often and spent well but stopped buying six months ago or more.",
    change: "Choose your own purchase log, name its customer, date and amount columns, and set the months and amounts in “Lapsed but valuable”.",
    data: "69,659 CDNOW purchases by 23,570 customers",
    kind: "question",
  },
  {
    id: "leads-ready",
    question: "Which leads are ready for sales?",
    answers: "Learns which web sessions end in a purchase and scores every session; those with a chance of 50 % or more are the leads to call.",
    change: "Choose your own leads or sessions file and the column that says whether they bought; raise or lower the 50 % in “Ready for sales”.",
    data: "12,330 sessions of an online shop (UCI)",
    kind: "question",
  },
  {
    id: "unhappy-reviews",
    question: "What are reviewers unhappy about?",
    answers: "Scores each review's tone from the words it uses, keeps the unhappy ones and sums them up; sort them by score to read the worst first.",
    change: "Choose your own reviews or survey answers and the column holding the text.",
    data: "1,001 Yelp review sentences",
    kind: "question",
  },
  {
    id: "hillstrom-ab",
    question: "Did our campaign work?",
    answers: "Compares the visit rate of each e-mail against the group that got none, with 95 % confidence intervals and p-values.",
    change: "Choose your campaign's results file, the column with the group each customer was in, the outcome column and the name of the control group.",
    data: "64,000 customers of the MineThatData e-mail test (Hillstrom)",
    kind: "question",
  },
  {
    id: "cdnow-segments",
    question: "Who are our customer segments?",
    answers: "Groups customers by how recently, how often and how much they buy, and describes each group.",
    change: "Choose your own purchase log and name its customer, date and amount columns.",
    data: "69,659 CDNOW purchases by 23,570 customers",
    kind: "question",
  },
  {
    id: "weekly-churn-save",
    question: "Every week, can we keep the customers most likely to leave, and learn what works?",
    answers: "Each Monday scores customers with the churn model, e-mails the high-risk ones an offer while a control group gets nothing, waits 14 days for a purchase, then retrains from the outcomes and keeps the better model.",
    change: "Runs every Monday once created and e-mails through the local Mailpit until you pick your own mail connection. Needs a model named churn-risk: train one first.",
    data: "Telco customers, the decision ledger and purchase events",
    kind: "journey",
  },
];

export function template(id: string): Template {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) throw new NotFound(`No template "${id}" (there are ${TEMPLATES.map((x) => `"${x.id}"`).join(", ")})`);
  return t;
}

/** The template's graph as shipped (not yet checked against the node registry). */
export function templateGraph(id: string): { name: string; description?: string; nodes: unknown[]; edges: unknown[] } {
  template(id);
  const { id: _id, ...graph } = JSON.parse(readFileSync(path.join(examplesDir, "flows", `${id}.flow.json`), "utf8")) as { id?: string; name: string; nodes: unknown[]; edges: unknown[] };
  return graph;
}

/** A new flow holding the template's graph as version 1, named after it (`-2`, `-3`... when taken). */
export function createFromTemplate(store: Store, registry: NodeRegistry, id: string, createdBy: string | null = null): Promise<SavedVersion> {
  return flows.create(store, checkedGraph(templateGraph(id), registry), { createdBy });
}
