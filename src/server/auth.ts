/**
 * Webhook and admin authentication.
 * - Webhooks: Exotel signs nothing (docs/exotel-protocol.md §7), so the optional WEBHOOK_KEY travels in the URL as
 *   `?key=` (compared in constant time), or a signed URL from `url --sign` carries `exp` + `sig`, or the Gather
 *   action URL we generate carries `tok` = HMAC(key, CallSid) so the key itself never appears in ExoML.
 * - Admin: always behind a bearer token; when ADMIN_TOKEN is not configured, serve makes a random one, and the
 *   admin API answers loopback clients only.
 */
import { createHmac } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { keysMatch, verifyCustomerSignature } from '../exotel/signing.ts';
import { mergeParams } from './params.ts';

export function callToken(secret: string, callSid: string): string {
  return createHmac('sha256', secret).update(`call:${callSid}`).digest('base64url');
}

export type WebhookAuthResult = { ok: true } | { ok: false; reason: string };

function checkWebhookAuth(
  params: Readonly<Record<string, string | undefined>>,
  secret: string,
  now: Date,
): WebhookAuthResult {
  if (params.sig !== undefined || params.exp !== undefined) {
    const check = verifyCustomerSignature(params, secret, now);
    return check.ok ? { ok: true } : { ok: false, reason: `signed URL rejected: ${check.reason}` };
  }
  if (params.key !== undefined)
    return keysMatch(params.key, secret) ? { ok: true } : { ok: false, reason: 'wrong key' };
  const callSid = params.CallSid ?? params.call_sid;
  if (params.tok !== undefined && callSid !== undefined) {
    return keysMatch(params.tok, callToken(secret, callSid)) ? { ok: true } : { ok: false, reason: 'wrong call token' };
  }
  return { ok: false, reason: 'missing key' };
}

export function webhookAuth(secret: string | undefined, now: () => Date) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (secret === undefined) {
      next();
      return;
    }
    const result = checkWebhookAuth(mergeParams(req.query, req.body), secret, now());
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

export function adminAuth(options: AdminAuthOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (options.loopbackOnly && !isLoopback(req.socket.remoteAddress)) {
      res.status(403).json({ error: 'the admin API answers loopback clients only when ADMIN_TOKEN is not set' });
      return;
    }
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
  };
}
