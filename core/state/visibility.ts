/**
 * Who may see a host or service (AuthUser): Checkmk's default, loose rule. The Livestatus
 * tables filter rows with it and the command handler refuses commands on objects the user
 * cannot see, so that both agree.
 */
import { HOST_CHECK } from "../model/check-result";
import type { HostEntry } from "./read-model";

/**
 * The host's contacts: those of its Host check. A pending host has none of its own yet;
 * it takes the union of its services' contacts, so that the people who see the services
 * also see the host they belong to. Sorted and distinct.
 */
export function hostContacts(entry: Readonly<HostEntry>): readonly string[] {
  const check = entry.hostCheck;
  if (check !== undefined) return check.contacts;
  const all = new Set<string>();
  for (const s of entry.services.values()) for (const c of s.contacts) all.add(c);
  return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A service is seen by its own contacts and by whoever sees its host; a host by its contacts. */
export function checkVisibleTo(entry: Readonly<HostEntry>, check: string, user: string): boolean {
  if (check !== HOST_CHECK && entry.services.get(check)?.contacts.includes(user) === true) return true;
  return hostContacts(entry).includes(user);
}
