// Unsubscribing from a link in a message (app/u/[token]): the token (lib/unsubscribe-links.ts)
// names the customer and the channel and is signed by this app's key, so it needs no sign-in. The
// customer's consent for the channel is set to false in their profile at once (consent merges per
// channel: their other consents stay), and the audit log records it. Doing it twice is harmless.
import { audit, profiles, type Store } from "../../db/store";
import { dataDirPath } from "../../lib/paths";
import { unsubscribeKey, verifyUnsubscribeToken, type UnsubscribeChannel } from "../../lib/unsubscribe-links";

export interface UnsubscribeTarget {
  customer: string;
  channel: UnsubscribeChannel;
}

let key: Buffer | undefined;

/** The key links are signed with (LOOPWRIGHT_UNSUBSCRIBE_KEY, else keys/unsubscribe.key in the data directory). */
function signingKey(): Buffer {
  return (key ??= unsubscribeKey(process.env, dataDirPath()));
}

/** Who a token unsubscribes, or null when it is not a valid link of this app. */
export function readToken(token: string): UnsubscribeTarget | null {
  return verifyUnsubscribeToken(signingKey(), token);
}

/** Whether the customer currently has consent for the channel (false when they have no profile). */
export async function isSubscribed(store: Store, t: UnsubscribeTarget): Promise<boolean> {
  const profileId = await profiles.byIdentity(store, t.customer);
  if (!profileId) return false;
  const consent = (await profiles.get(store, profileId)).traits.consent;
  return typeof consent === "object" && consent !== null && (consent as Record<string, unknown>)[t.channel] === true;
}

/**
 * Withdraws the customer's consent for the channel. `via`: "one-click" (a mail provider's POST,
 * RFC 8058) or "page" (the button on the confirmation page). Returns their profile id.
 */
export async function unsubscribe(store: Store, t: UnsubscribeTarget, via: "one-click" | "page", ip: string | null = null): Promise<string | null> {
  await profiles.writeTraits(store, [{ userId: t.customer, traits: { consent: { [t.channel]: false } } }]);
  const profileId = await profiles.byIdentity(store, t.customer);
  await audit.append(store, {
    actorId: null,
    actor: "customer (unsubscribe link)",
    action: "profile.unsubscribe",
    target: profileId ?? t.customer,
    detail: { customer: t.customer, channel: t.channel, via },
    ip,
  });
  return profileId;
}
