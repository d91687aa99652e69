// Roles, lowest first. Pure: the browser and the server share it.
import { ROLES } from "../db/schema/vocabulary";

export { ROLES };
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` may do what `needed` may. */
export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export const ROLE_LABEL: Record<Role, string> = {
  viewer: "Viewer: reads flows, runs, charts and models",
  editor: "Editor: builds, saves, runs and cancels flows; uses connections by name",
  admin: "Admin: users, connections, settings, audit log and everything else",
};

/** "a viewer", "an editor", "an admin". */
export function aRole(role: Role): string {
  return `${role === "viewer" ? "a" : "an"} ${role}`;
}
