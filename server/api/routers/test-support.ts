// What the router tests share: a Temporal stand-in for routers that must never dial it, and the
// TRPCError a call rejects with.
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import type { Role } from "../../../lib/roles";
import type { Principal } from "../../access";
import type { TemporalAccess } from "../../temporal-client";

const unused = () => {
  throw new Error("Temporal is not used by these tests");
};

/** Listing, saving and previewing never touch Temporal; anything that tries is a bug in the test's premise. */
export const noTemporal: TemporalAccess = { settings: unused, client: unused, status: async () => unused() };

export async function rejection(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

/** A signed-in caller with this role, for tests that call routers directly (no cookie, no key). */
export function asRole(role: Role): Principal {
  return { userId: `test-${role}`, email: `${role}@test.example`, name: `Test ${role}`, role, via: "session" };
}
