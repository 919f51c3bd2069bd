/**
 * The Passthru Exotel sends once a Connect or a Voicebot/Stream applet has finished (docs/exotel-protocol.md
 * §1.2, §1.3): the same CallSid again, now with how the call went. Recognising it keeps a flow that calls the
 * same Passthru URL twice from greeting the caller a second time. Pure.
 */

export type CallEndReport = {
  dialCallStatus?: string;
  dialCallDuration?: number;
  recordingUrl?: string;
  /** Stream[StreamSID|Status|Duration|RecordingUrl|StreamUrl|DisconnectedBy], from bracketed keys or `Stream={json}`. */
  stream?: Record<string, string>;
  /** Legs[i][Number|Type|OnCallDuration|CauseCode|Cause], by leg. */
  legs: Array<Record<string, string>>;
  callType?: string;
};

type Params = Readonly<Record<string, string>>;

const BRACKETED = /^(Legs|Stream)(?:\[(\d+)\])?\[([A-Za-z]+)\]$/;
const MAX_LEGS = 16;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function wholeSeconds(value: string | undefined): number | undefined {
  return value !== undefined && /^[0-9]{1,9}$/.test(value) ? Number(value) : undefined;
}

/** `Stream={"StreamSID":"…","Duration":28}` → string values; anything else is not a stream. */
function streamJson(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined || !raw.trim().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (value === null || value === undefined) continue;
      out[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * The end-of-call report a Passthru carries, or undefined for a first Passthru. A first Passthru also has
 * `DialCallDuration=0` and `CallType=call-attempt|incomplete`, so only what comes after a Connect or a stream
 * counts: a dial status, legs, stream details, a recording, or `CallType=completed`.
 */
export function readCallEnd(params: Params): CallEndReport | undefined {
  let stream = streamJson(params.Stream);
  const legs: Array<Record<string, string>> = [];
  for (const [key, value] of Object.entries(params)) {
    const m = BRACKETED.exec(key);
    if (!m) continue;
    const [, group, index, field] = m as unknown as [string, string, string | undefined, string];
    if (group === 'Stream' && index === undefined) {
      stream = { ...stream, [field]: value };
    } else if (group === 'Legs' && index !== undefined && Number(index) < MAX_LEGS) {
      const at = Number(index);
      while (legs.length <= at) legs.push({});
      (legs[at] as Record<string, string>)[field] = value;
    }
  }
  const dialCallStatus = nonEmpty(params.DialCallStatus);
  const recordingUrl = nonEmpty(params.RecordingUrl) ?? nonEmpty(stream?.RecordingUrl);
  const callType = nonEmpty(params.CallType);
  if (dialCallStatus === undefined && legs.length === 0 && stream === undefined && recordingUrl === undefined && callType !== 'completed') {
    return undefined;
  }
  const dialCallDuration = wholeSeconds(nonEmpty(params.DialCallDuration)) ?? wholeSeconds(nonEmpty(stream?.Duration));
  return {
    legs,
    ...(dialCallStatus !== undefined ? { dialCallStatus } : {}),
    ...(dialCallDuration !== undefined ? { dialCallDuration } : {}),
    ...(recordingUrl !== undefined ? { recordingUrl } : {}),
    ...(stream !== undefined ? { stream } : {}),
    ...(callType !== undefined ? { callType } : {}),
  };
}
