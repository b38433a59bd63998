import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { normalizeUsername } from '../users/registration';

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/**
 * The counter key of a login name: the lowercased username, so "Alice" and "alice" share one
 * counter whether or not the account exists. A name that cannot exist (too long, odd characters)
 * is keyed by a digest, so a hostile header cannot make a huge or odd key.
 */
export function accountKey(sent: string): string {
  return normalizeUsername(sent) ?? `#${digest(sent.toLowerCase())}`;
}

/**
 * The counter key of a client address (ctx.ip). IPv4-mapped IPv6 counts as its IPv4 address, and
 * an IPv6 address by its /64, the smallest block a network is handed (RFC 6177), since one
 * client can use any address in it.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return 'invalid';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}
