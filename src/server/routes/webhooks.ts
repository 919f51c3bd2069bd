/** `/passthru-handler` and `/gather-response`, GET or POST: thin over the call service. */
import type { Request, Response, Router } from 'express';
import type { LanguageCode } from '../../exotel/language.ts';
import { callToken } from '../auth.ts';
import type { CallService, WebhookReply } from '../call-service.ts';
import { mergeParams } from '../params.ts';

export type WebhookRouteOptions = { baseUrl: string | undefined; webhookKey: string | undefined };

/** Absolute action URL (docs/exotel-protocol.md §9.1 item 7): BASE_URL, else the host the request came to. */
function requestBase(req: Request, baseUrl: string | undefined): string {
  if (baseUrl) return baseUrl;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

function send(res: Response, reply: WebhookReply) {
  res.locals.callSid = reply.callSid;
  if (reply.warnings.length > 0) res.locals.warnings = reply.warnings;
  res.status(reply.status).type('text/xml; charset=utf-8').send(reply.xml);
}

export function registerWebhookRoutes(router: Router, service: CallService, options: WebhookRouteOptions) {
  const actionUrl =
    (req: Request) =>
    (state: { callSid: string; language: LanguageCode; attempt: number; customerId: string | undefined }) => {
      const url = new URL('/gather-response', requestBase(req, options.baseUrl));
      url.searchParams.set('CallSid', state.callSid);
      url.searchParams.set('lang', state.language);
      url.searchParams.set('attempt', String(state.attempt));
      if (state.customerId) url.searchParams.set('customer_id', state.customerId);
      if (options.webhookKey) url.searchParams.set('tok', callToken(options.webhookKey, state.callSid));
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
