/**
 * `serve --mock-exotel-api`: Exotel's `POST /v1/Accounts/:sid/Calls/connect(.json)` offline (docs/exotel-protocol.md
 * §6.1), so a team's call-trigger code can run against it. Basic auth (any key and token), the form fields of
 * §6.1, a flow URL (never the bot's passthru), 200 calls a minute. An accepted call then plays the bundled
 * flow in-process against the applet service (Greeting, Gather; the caller presses nothing, so the Passthru
 * takes the no-input branch) and its terminal StatusCallback is POSTed to the given URL.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { COLLECTIONS_FLOW } from '../../appflow/collections.ts';
import type { AppletFlow } from '../../appflow/types.ts';
import { walkFlow } from '../../appflow/walk.ts';
import { passthruCallParams } from '../../exotel/call.ts';
import { callResource, readConnectRequest, restException, type ConnectRequest } from '../../exotel/calls-api.ts';
import type { CallServiceDeps } from '../call-service.ts';
import { mergeParams } from '../params.ts';

const CALLS_PER_MINUTE = 200;
const APPLET_TIMEOUT_MS = 5_000;

export type MockCallsOptions = {
  /** The flow an accepted call walks (default: the bundled collections flow, its URLs on this server). */
  flow?: AppletFlow;
  /** Exotel's limit (§6.1); tests lower it rather than make 201 calls. */
  callsPerMinute?: number;
  /** The keys the callee presses, one group per Gather ('' = none); default: nothing pressed at any Gather. */
  digits?: readonly string[];
};

function basicAuthOk(req: Request): boolean {
  const header = req.get('authorization') ?? '';
  if (!header.startsWith('Basic ')) return false;
  const [key, token] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  return Boolean(key) && Boolean(token);
}

/** This server as the socket reached it: relative applet URLs of the flow are this server's own endpoints. */
function ownBase(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${req.socket.localPort}`;
}

/** The mock has no caller: each Gather gets the next configured group, or times out (digits=""). */
function keysFor(groups: readonly string[]) {
  let asked = 0;
  return {
    next: async () => {
      const keys = groups[asked++] ?? '';
      return { keys, source: keys === '' ? 'no-input' : 'digits' };
    },
  };
}

export function registerMockCallsApi(router: Router, deps: CallServiceDeps, options: MockCallsOptions = {}) {
  const flow = options.flow ?? COLLECTIONS_FLOW;
  const limit = options.callsPerMinute ?? CALLS_PER_MINUTE;
  const recent: number[] = [];

  const playFlow = async (callSid: string, request: ConnectRequest, base: string) => {
    const at = deps.now();
    const callParams = passthruCallParams({
      callSid,
      from: request.from,
      to: request.callerId,
      startedAt: at,
      now: at,
    });
    if (request.customField !== undefined) callParams.CustomField = request.customField;
    // Exotel posts the StatusCallback the API call asked for, for the terminal event (§6.1, §6.2).
    const wantsTerminal =
      request.statusCallbackEvents.length === 0 || request.statusCallbackEvents.includes('terminal');
    const callback =
      request.statusCallback && wantsTerminal
        ? { statusCallback: { url: request.statusCallback, json: request.statusCallbackJson } }
        : {};
    const record = await walkFlow({
      flow,
      base,
      callParams,
      keys: keysFor(options.digits ?? []),
      ...callback,
      timeoutMs: APPLET_TIMEOUT_MS,
      now: deps.now,
    });
    const delivered = record.statusCallback
      ? `; StatusCallback ${record.statusCallback.delivered ? 'accepted' : `not accepted after ${record.statusCallback.attempts.length} attempts`}`
      : '';
    deps.logger.info(
      `mock Calls API: ${callSid} walked flow "${flow.name}" (${record.steps.map((s) => s.applet).join(' → ')}): ${record.outcome.kind}${delivered}`,
    );
  };

  const connect = (req: Request, res: Response) => {
    const fail = (status: number, message: string) => res.status(status).json(restException(status, message));
    if (!basicAuthOk(req)) return fail(401, 'Authentication is required: HTTP Basic with your API key and token');
    const now = deps.now().getTime();
    while (recent.length > 0 && (recent[0] as number) <= now - 60_000) recent.shift();
    if (recent.length >= limit) return fail(429, `Too many requests: at most ${limit} calls a minute`);
    const read = readConnectRequest(mergeParams(undefined, req.body));
    if (!read.ok) return fail(400, read.error);
    recent.push(now);
    const callSid = randomBytes(16).toString('hex');
    res.locals.callSid = callSid;
    res.status(200).json(callResource(String(req.params.sid), callSid, read.request, deps.now()));
    playFlow(callSid, read.request, ownBase(req)).catch((error: unknown) =>
      deps.logger.error(`mock Calls API: the flow of ${callSid} failed`, error),
    );
  };
  router.post('/v1/Accounts/:sid/Calls/connect', connect);
  router.post('/v1/Accounts/:sid/Calls/connect.json', connect);
}
