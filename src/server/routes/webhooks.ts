/**
 * `/passthru-handler` and `/gather-response`: GET or POST run the call service; HEAD, other methods, a bad Host
 * and a body that fails to parse are answered by the guards in webhook-guards.ts, all with ExoML.
 */
import type { Request, Response, Router } from 'express';
import type { LanguageCode } from '../../exotel/language.ts';
import { gatherToken, webhookAuth, type WebhookRoute } from '../auth.ts';
import type { CallService, WebhookReply } from '../call-service.ts';
import { mergeParams } from '../params.ts';
import { requestBase } from '../request-base.ts';
import { webhookBodies, webhookHead, webhookHost, webhookMethods } from './webhook-guards.ts';

export type WebhookRouteOptions = {
  baseUrl: string | undefined;
  webhookKey: string | undefined;
  /** How long the Gather action's token stays good: the session's lifetime, since the call cannot outlive it. */
  tokenTtlSeconds: number;
  now: () => Date;
  /** The ExoML answered when the request itself is broken (bad Host, method, body). */
  errorXml: string;
};

type ActionState = { callSid: string; language: LanguageCode; attempt: number; customerId: string | undefined };

function send(res: Response, reply: WebhookReply) {
  res.locals.callSid = reply.callSid;
  if (reply.warnings.length > 0) res.locals.warnings = reply.warnings;
  res.status(reply.status).type('text/xml; charset=utf-8').send(reply.xml);
}

export function registerWebhookRoutes(router: Router, service: CallService, options: WebhookRouteOptions) {
  const actionUrl = (req: Request) => (state: ActionState) => {
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
  const routes: ReadonlyArray<readonly [string, WebhookRoute, typeof passthru]> = [
    ['/passthru-handler', 'passthru', passthru],
    ['/gather-response', 'gather', gather],
  ];
  for (const [path, route, handler] of routes) {
    router
      .route(path)
      .all(
        webhookMethods(options.errorXml),
        webhookHost(options.errorXml),
        ...webhookBodies(),
        webhookAuth(options.webhookKey, options.now, route),
      )
      .head(webhookHead)
      .get(handler)
      .post(handler);
  }
}
