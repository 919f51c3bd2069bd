/**
 * Where the Gather action URL points when BASE_URL is unset: the scheme and Host the request came with
 * (docs/exotel-protocol.md §9.1 item 7). Both come from the client, so both are checked before they go into a URL.
 */
import type { Request } from 'express';

/** A DNS name (letters, digits, `-`, `.`, `_`, `~`), IPv4, or a bracketed IPv6 literal, with an optional port. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::([0-9]{1,5}))?$/;

/**
 * Whether a Host header value names a host. RFC 9112 §3.2 asks for 400 on an invalid one; here it also keeps
 * user info (`a@evil.example`), paths and out-of-range ports out of the action URL.
 */
export function isValidHost(host: string): boolean {
  const match = HOST.exec(host);
  if (!match) return false;
  if (match[1] !== undefined && Number(match[1]) > 65_535) return false;
  try {
    return new URL(`http://${host}`).host !== '';
  } catch {
    return false;
  }
}

/**
 * The scheme of the request: X-Forwarded-Proto from a trusted proxy (express's `req.protocol`) only when it says
 * http or https, else the connection's own; anything else would put `javascript:` or `data:` into an action URL.
 */
function requestScheme(req: Request): 'http' | 'https' {
  const claimed = req.protocol.toLowerCase();
  if (claimed === 'http' || claimed === 'https') return claimed;
  return (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
}

/** Absolute base for action URLs: BASE_URL, else the scheme and (already checked) Host of the request. */
export function requestBase(req: Request, baseUrl: string | undefined): string {
  if (baseUrl) return baseUrl;
  return `${requestScheme(req)}://${req.get('host') ?? 'localhost'}`;
}
