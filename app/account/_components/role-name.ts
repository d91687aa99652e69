// A role's short name for tables and selects; lib/roles.ts ROLE_LABEL has the sentence.
import { ROLE_LABEL, type Role } from "@/lib/roles";

export const ROLE_NAME: Record<Role, string> = { viewer: "Viewer", editor: "Editor", admin: "Admin" };

/** What the role may do, without its name: "reads flows, runs, charts and models". */
export const roleDoes = (role: Role) => ROLE_LABEL[role].split(": ").slice(1).join(": ");
