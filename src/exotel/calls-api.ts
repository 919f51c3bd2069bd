/**
 * The request and answer shapes of Exotel's `Calls/connect` API (docs/exotel-protocol.md §6.1), for the mock
 * `serve --mock-exotel-api` runs. Pure.
 */

/** `http://my.exotel.com/<sid>/exoml/start_voice/<app_id>`, or the legacy `http://my.exotel.in/exoml/start/<app_id>`. */
const FLOW_URL = /^https?:\/\/my\.exotel\.(?:com|in)\/(?:[A-Za-z0-9_-]+\/exoml\/start_voice|exoml\/start)\/[0-9]+\/?$/;

const NOT_A_FLOW_URL = 'Url must be an Exotel flow URL, not your passthru';

export type ConnectRequest = {
  from: string;
  callerId: string;
  url: string;
  customField: string | undefined;
  statusCallback: string | undefined;
  statusCallbackEvents: string[];
  statusCallbackJson: boolean;
};

export function readConnectRequest(
  form: Readonly<Record<string, string>>,
): { ok: true; request: ConnectRequest } | { ok: false; error: string } {
  for (const name of ['From', 'CallerId', 'Url'] as const) {
    if (!form[name]?.trim()) return { ok: false, error: `${name} is required` };
  }
  const url = (form.Url as string).trim();
  if (!FLOW_URL.test(url)) return { ok: false, error: NOT_A_FLOW_URL };
  const events = Object.entries(form)
    .filter(([key]) => /^StatusCallbackEvents(?:\[\d+\])?$/.test(key))
    .map(([, value]) => value.trim())
    .filter((value) => value !== '');
  return {
    ok: true,
    request: {
      from: (form.From as string).trim(),
      callerId: (form.CallerId as string).trim(),
      url,
      customField: form.CustomField,
      statusCallback: form.StatusCallback?.trim() || undefined,
      statusCallbackEvents: events,
      statusCallbackJson: form.StatusCallbackContentType?.trim().toLowerCase() === 'application/json',
    },
  };
}

/** `YYYY-MM-DD HH:mm:ss` in Indian time, as Exotel writes times (§6.2). */
function exotelClock(date: Date): string {
  return new Date(date.getTime() + 330 * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function callResource(accountSid: string, callSid: string, request: ConnectRequest, at: Date) {
  const now = exotelClock(at);
  return {
    Call: {
      Sid: callSid,
      ParentCallSid: null,
      DateCreated: now,
      DateUpdated: now,
      AccountSid: accountSid,
      To: request.callerId,
      From: request.from,
      PhoneNumberSid: request.callerId,
      Status: 'in-progress',
      StartTime: now,
      EndTime: null,
      Duration: null,
      Price: null,
      Direction: 'outbound-api',
      AnsweredBy: null,
      ForwardedFrom: null,
      CallerName: null,
      Uri: `/v1/Accounts/${accountSid}/Calls/${callSid}.json`,
      RecordingUrl: null,
    },
  };
}

export function restException(status: number, message: string) {
  return { RestException: { Status: status, Message: message } };
}

export type ConnectForm = {
  from: string;
  callerId: string;
  flowUrl: string;
  customField?: string;
  statusCallback?: string;
  statusCallbackJson?: boolean;
};

/** The form a team's trigger code posts to `Calls/connect` (§6.1), terminal StatusCallback subscribed. */
export function connectFormFields(form: ConnectForm): Record<string, string> {
  return {
    From: form.from,
    CallerId: form.callerId,
    Url: form.flowUrl,
    CallType: 'trans',
    ...(form.customField !== undefined ? { CustomField: form.customField } : {}),
    ...(form.statusCallback !== undefined
      ? {
          StatusCallback: form.statusCallback,
          'StatusCallbackEvents[0]': 'terminal',
          ...(form.statusCallbackJson ? { StatusCallbackContentType: 'application/json' } : {}),
        }
      : {}),
  };
}
