/** `/passthru-handler` and `/gather-response`, GET or POST: thin over the call service. */
import type { Request, Response, Router } from 'express';
import type { LanguageCode } from '../../exotel/language.ts';
import { gatherToken } from '../auth.ts';
import type { CallService, WebhookReply } from '../call-service.ts';
import { mergeParams } from '../params.ts';

export type WebhookRouteOptions = {
  baseUrl: string | undefined;
  webhookKey: string | undefined;
  /** How long the Gather action's token stays good: the session's lifetime, since the call cannot outlive it. */
  tokenTtlSeconds: number;
  now: () => Date;
};

/** Absolute action URL (docs/exotel-protocol.md §9.1 item 7): BASE_URL, else the host the request came to. */
export function requestBase(req: Request, baseUrl: string | undefined): string {
  if (baseUrl) return baseUrl;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

function send(res: Response, reply: WebhookReply) {
  res.locals.callSid = reply.callSid;
  if (reply.warnings.length > 0) res.locals.warnings = reply.warnings;
  res.status(reply.status).type('text/xml; charset=utf-8').send(reply.xml);
}

export function registerWebhookRoutes(router: Router, service: CallService, options: WebhookRouteOptions) {
  const actionUrl = (req: Request) => (state: { callSid: string; language: LanguageCode; attempt: number; customerId: string | undefined }) => {
    const url = new URL('/gather-response', requestBase(req, options.baseUrl));
    url.searchParams.set('CallSid', state.callSid);
    url.searchParams.set('lang', state.language);
    url.searchParams.set('attempt', String(state.attempt));
    const customerId = state.customerId || undefined;
    if (customerId) url.searchParams.set('customer_id', customerId);
    if (options.webhookKey) {
      const expiresAt = new Date(options.now().getTime() + options.tokenTtlSeconds * 1000);
      url.searchParams.set('tok', gatherToken(options.webhookKey, { callSid: state.callSid, customerId }, expiresAt));
    }
    return url.toString();
  };

  const passthru = async (req: Request, res: Response) => {
    res.locals.callSid = req.query.CallSid ?? req.query.call_sid;
    send(res, await service.passthru(mergeParams(req.query, req.body), actionUrl(req)));
  };
  const gather = async (req: Request, res: Response) => {
    send(res, await service.gather(mergeParams(req.query, req.body), actionUrl(req)));
  };
  router.get('/passthru-handler', passthru);
  router.post('/passthru-handler', passthru);
  router.get('/gather-response', gather);
  router.post('/gather-response', gather);
}
