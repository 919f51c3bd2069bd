/**
 * Webhook and admin authentication.
 * - Webhooks: Exotel signs nothing (docs/exotel-protocol.md §7), so the optional WEBHOOK_KEY travels in the URL as
 *   `?key=` (compared in constant time). Two narrower credentials stand in for it where the key must not appear:
 *   a signed URL from `url --sign` (`exp` + `sig`), good on /passthru-handler only, vouching for the customer
 *   fields it carries; and the `tok` in the Gather action URLs we generate, good on /gather-response only, for one
 *   CallSid and customer_id, until it expires. Neither is accepted on the other route: a caller who holds the
 *   token of their own call must not be able to write customer rows with it.
 * - Admin: always behind a bearer token; when ADMIN_TOKEN is not configured, serve makes a random one, and the
 *   admin API answers loopback clients only.
 */
import { createHmac } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { keysMatch, verifySignedEntries } from '../exotel/signing.ts';
import { mergeParams, paramEntries, type Params } from './params.ts';

export type WebhookRoute = 'passthru' | 'gather';

/** What a Gather action token vouches for: the call, and the customer id the action URL names (if any). */
type TokenBinding = { callSid: string; customerId: string | undefined };

function tokenMac(secret: string, binding: TokenBinding, exp: string): string {
  // JSON of a fixed-shape array: no separator inside a value can make two bindings sign the same bytes.
  const message = JSON.stringify(['gather-response', binding.callSid, binding.customerId ?? null, exp]);
  return createHmac('sha256', secret).update(message).digest('base64url');
}

/** `<exp>.<mac>` with exp in unix seconds: the Gather action's stand-in for the key. */
export function gatherToken(secret: string, binding: TokenBinding, expiresAt: Date): string {
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  return `${exp}.${tokenMac(secret, binding, exp)}`;
}

export type WebhookAuthResult = { ok: true } | { ok: false; reason: string };

function checkGatherToken(tok: string, params: Params, secret: string, now: Date): WebhookAuthResult {
  const match = /^([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(tok);
  const callSid = params.CallSid ?? params.call_sid;
  if (!match || callSid === undefined) return { ok: false, reason: 'malformed call token' };
  const [, exp = '', mac = ''] = match;
  const expected = tokenMac(secret, { callSid, customerId: params.customer_id }, exp);
  if (!keysMatch(mac, expected)) return { ok: false, reason: 'wrong call token' };
  if (Number(exp) * 1000 < now.getTime()) return { ok: false, reason: 'call token expired' };
  return { ok: true };
}

/** A request's parameters as the call service reads them (one per name), and every pair with repeats. */
type AuthInput = { params: Params; entries: ReadonlyArray<readonly [string, string]> };

function checkWebhookAuth(input: AuthInput, secret: string, now: Date, route: WebhookRoute): WebhookAuthResult {
  const { params, entries } = input;
  if (route === 'passthru' && (params.sig !== undefined || params.exp !== undefined)) {
    const check = verifySignedEntries(entries, secret, now);
    return check.ok ? { ok: true } : { ok: false, reason: `signed URL rejected: ${check.reason}` };
  }
  if (params.key !== undefined)
    return keysMatch(params.key, secret) ? { ok: true } : { ok: false, reason: 'wrong key' };
  if (route === 'gather' && params.tok !== undefined) return checkGatherToken(params.tok, params, secret, now);
  if (params.tok !== undefined) return { ok: false, reason: 'a call token is good on /gather-response only' };
  if (params.sig !== undefined) return { ok: false, reason: 'a signed URL is good on /passthru-handler only' };
  return { ok: false, reason: 'missing key' };
}

export function webhookAuth(secret: string | undefined, now: () => Date, route: WebhookRoute) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (secret === undefined) {
      next();
      return;
    }
    const input = { params: mergeParams(req.query, req.body), entries: paramEntries(req.query, req.body) };
    const result = checkWebhookAuth(input, secret, now(), route);
    if (result.ok) {
      next();
      return;
    }
    res.locals.authFailure = result.reason;
    res.status(401).type('text/plain').send(`unauthorized: ${result.reason}\n`);
  };
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export type AdminAuthOptions = { token: string; loopbackOnly: boolean };

/**
 * With a generated token, only loopback clients. `req.ip` rather than the socket's address: the app trusts
 * X-Forwarded-For from loopback proxies only (server/app.ts), so a reverse proxy on this machine that forwards
 * a remote client is seen as that remote client, not as a loopback one.
 */
export function loopbackGuard(options: Pick<AdminAuthOptions, 'loopbackOnly'>) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (options.loopbackOnly && !isLoopback(req.ip ?? req.socket.remoteAddress)) {
      res.status(403).json({ error: 'the admin API answers loopback clients only when ADMIN_TOKEN is not set' });
      return;
    }
    next();
  };
}

export function adminAuth(options: AdminAuthOptions) {
  const guard = loopbackGuard(options);
  return (req: Request, res: Response, next: NextFunction) =>
    guard(req, res, () => checkBearer(options, req, res, next));
}

function checkBearer(options: AdminAuthOptions, req: Request, res: Response, next: NextFunction) {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const presented = match?.[1]?.trim();
  if (!presented || !keysMatch(presented, options.token)) {
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer')
      .json({ error: 'admin API requires Authorization: Bearer <ADMIN_TOKEN>' });
    return;
  }
  next();
}
