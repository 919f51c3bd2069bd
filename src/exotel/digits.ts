/**
 * DTMF digits arrive under three names depending on who sends them:
 * - `digits`: App Bazaar Passthru, wrapped in double quotes (`"1"`) — must be trimmed.
 *   https://support.exotel.com/support/solutions/articles/48283-working-with-passthru-applet
 * - `DigitsPressed`: the ExoML <Gather> action (developer.exotel.com/docs/exoml/verbs/gather).
 * - `Digits`: TwiML-style clients (the public FastAPI bot this project stays compatible with).
 */
const DIGIT_PARAMS = ['digits', 'DigitsPressed', 'Digits'] as const;
type DigitParam = (typeof DIGIT_PARAMS)[number];

export type DigitsReading = {
  /** The keys pressed, quotes and whitespace removed; '' when the parameter was present but empty. */
  digits: string | undefined;
  source: DigitParam | undefined;
  /** True when something other than 0-9 * # was sent (after trimming). */
  invalid: boolean;
};

/** Strip Exotel's surrounding quotes (straight or doubled) and whitespace: `"1"` → `1`, `""` → ``. */
export function normalizeDigits(raw: string): string {
  return raw.trim().replace(/^"+|"+$/g, '').trim();
}

export function readDigits(params: Readonly<Record<string, string | undefined>>): DigitsReading {
  for (const name of DIGIT_PARAMS) {
    const raw = params[name];
    if (raw === undefined) continue;
    const digits = normalizeDigits(raw);
    return { digits, source: name, invalid: !/^[0-9*#]*$/.test(digits) };
  }
  return { digits: undefined, source: undefined, invalid: false };
}

/** Exotel's finish key is not part of the input (assumed as in Twilio; docs/exotel-protocol.md §2.4). */
export function stripFinishKey(digits: string, finishOnKey = '#'): string {
  return finishOnKey !== '' && digits.endsWith(finishOnKey) ? digits.slice(0, -finishOnKey.length) : digits;
}
