/**
 * `serve --mock-exotel-api`: Exotel's `POST /v1/Accounts/:sid/Calls/connect(.json)` offline (docs/exotel-protocol.md
 * §6.1), so a team's call-trigger code can run against it. Basic auth (any key and token), the form fields of
 * §6.1, a flow URL (never the bot's passthru), 200 calls a minute. An accepted call then plays the bundled
 * flow in-process against the applet service (Greeting, Gather; the caller presses nothing, so the Passthru
 * takes the no-input branch) and its terminal StatusCallback is POSTed to the given URL.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import {
  callResource,
  exotelClock,
  readConnectRequest,
  restException,
  type ConnectRequest,
} from '../../exotel/calls-api.ts';
import { httpRequest } from '../../http/client.ts';
import { createAppletService } from '../applet-service.ts';
import type { CallServiceDeps } from '../call-service.ts';
import { mergeParams } from '../params.ts';

const CALLS_PER_MINUTE = 200;
const CALLBACK_TIMEOUT_MS = 15_000;

function basicAuthOk(req: Request): boolean {
  const header = req.get('authorization') ?? '';
  if (!header.startsWith('Basic ')) return false;
  const [key, token] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  return Boolean(key) && Boolean(token);
}

/** A StatusCallback body: multipart by default, JSON when asked (§6.2). */
function callbackBody(fields: Record<string, string>, json: boolean): { body: string; contentType: string } {
  if (json) return { body: JSON.stringify(fields), contentType: 'application/json' };
  const boundary = `exo${randomBytes(8).toString('hex')}`;
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '')}"\r\n\r\n${v}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

export function registerMockCallsApi(router: Router, deps: CallServiceDeps) {
  const service = createAppletService(deps);
  const recent: number[] = [];

  const playFlow = async (callSid: string, request: ConnectRequest) => {
    const params = mergeParams(
      {
        CallSid: callSid,
        From: request.from,
        To: request.callerId,
        CallFrom: request.from,
        CallTo: request.callerId,
        Direction: 'outbound-dial',
        CustomField: request.customField,
      },
      undefined,
    );
    await service.greeting(params);
    await service.gather(params);
    await service.passthru({ ...params, digits: '""' });
    if (
      !request.statusCallback ||
      (request.statusCallbackEvents.length > 0 && !request.statusCallbackEvents.includes('terminal'))
    )
      return;
    const now = exotelClock(deps.now());
    const fields: Record<string, string> = {
      CallSid: callSid,
      Status: 'completed',
      EventType: 'terminal',
      DateUpdated: now,
      EndTime: now,
      From: request.from,
      To: request.callerId,
      Direction: 'outbound-api',
      ConversationDuration: '0',
    };
    if (request.customField !== undefined) fields.CustomField = request.customField;
    const { body, contentType } = callbackBody(fields, request.statusCallbackJson);
    // Exotel retries a non-2xx at most twice (§6.2).
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await httpRequest({
        url: request.statusCallback,
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        timeoutMs: CALLBACK_TIMEOUT_MS,
        maxBytes: 4096,
      });
      if (result.ok && result.status >= 200 && result.status < 300) return;
    }
    deps.logger.info(`mock Calls API: the StatusCallback of ${callSid} was not accepted after 3 attempts`);
  };

  const connect = (req: Request, res: Response) => {
    const fail = (status: number, message: string) => res.status(status).json(restException(status, message));
    if (!basicAuthOk(req)) return fail(401, 'Authentication is required: HTTP Basic with your API key and token');
    const now = deps.now().getTime();
    while (recent.length > 0 && (recent[0] as number) <= now - 60_000) recent.shift();
    if (recent.length >= CALLS_PER_MINUTE)
      return fail(429, `Too many requests: at most ${CALLS_PER_MINUTE} calls a minute`);
    const read = readConnectRequest(mergeParams(undefined, req.body));
    if (!read.ok) return fail(400, read.error);
    recent.push(now);
    const callSid = randomBytes(16).toString('hex');
    res.locals.callSid = callSid;
    res.status(200).json(callResource(String(req.params.sid), callSid, read.request, deps.now()));
    playFlow(callSid, read.request).catch((error: unknown) =>
      deps.logger.error(`mock Calls API: the flow of ${callSid} failed`, error),
    );
  };
  router.post('/v1/Accounts/:sid/Calls/connect', connect);
  router.post('/v1/Accounts/:sid/Calls/connect.json', connect);
}
