/**
 * Languages the bundled bot speaks, and how a customer's language is chosen.
 * Exotel's <Say language> documents short codes (en, hi, ta …): https://developer.exotel.com/docs/exoml/verbs/say
 * TTS engines used with Exotel (Sarvam) want BCP-47 `xx-IN`; Odia is `od-IN` there but `or` in ISO 639-1
 * (docs/exotel-protocol.md §8), so both spellings are accepted.
 */
const LANGUAGES = {
  en: { bcp47: 'en-IN', name: 'English' },
  hi: { bcp47: 'hi-IN', name: 'Hindi' },
  ta: { bcp47: 'ta-IN', name: 'Tamil' },
  te: { bcp47: 'te-IN', name: 'Telugu' },
  kn: { bcp47: 'kn-IN', name: 'Kannada' },
  ml: { bcp47: 'ml-IN', name: 'Malayalam' },
  bn: { bcp47: 'bn-IN', name: 'Bengali' },
  mr: { bcp47: 'mr-IN', name: 'Marathi' },
  gu: { bcp47: 'gu-IN', name: 'Gujarati' },
  pa: { bcp47: 'pa-IN', name: 'Punjabi' },
  or: { bcp47: 'od-IN', name: 'Odia' },
} as const;

export type LanguageCode = keyof typeof LANGUAGES;
export const LANGUAGE_CODES = Object.keys(LANGUAGES) as LanguageCode[];

function isLanguageCode(value: string): value is LanguageCode {
  return Object.hasOwn(LANGUAGES, value);
}

/** English names as spreadsheets carry them (`Hindi`, `TAMIL`), plus the older spellings of two. */
const NAME_ALIASES: Readonly<Record<string, LanguageCode>> = { oriya: 'or', bangla: 'bn' };

function byName(input: string): LanguageCode | undefined {
  const name = input.trim().toLowerCase();
  const found = LANGUAGE_CODES.find((code) => LANGUAGES[code].name.toLowerCase() === name);
  return found ?? (Object.hasOwn(NAME_ALIASES, name) ? NAME_ALIASES[name] : undefined);
}

/** `hi`, `hi-IN`, `HI_in`, `od-IN`, `or-IN`, `Hindi`, `tamil` → short code; anything else → undefined. */
export function parseLanguageCode(input: string | undefined | null): LanguageCode | undefined {
  if (!input) return undefined;
  const named = byName(input);
  if (named !== undefined) return named;
  const match = /^([a-z]{2})(?:[-_]([a-z]{2}))?$/i.exec(input.trim());
  if (!match) return undefined;
  const base = (match[1] ?? '').toLowerCase();
  const region = match[2]?.toLowerCase();
  if (region !== undefined && region !== 'in') return undefined;
  const short = base === 'od' ? 'or' : base;
  return isLanguageCode(short) ? short : undefined;
}

export function toBcp47(code: LanguageCode): string {
  return LANGUAGES[code].bcp47;
}

/** State (lower-case, canonical) → language. Everything not listed but known as a state is Hindi (§8). */
const STATE_LANGUAGE: Readonly<Record<string, LanguageCode>> = {
  'andhra pradesh': 'te',
  telangana: 'te',
  karnataka: 'kn',
  kerala: 'ml',
  lakshadweep: 'ml',
  'tamil nadu': 'ta',
  puducherry: 'ta',
  maharashtra: 'mr',
  gujarat: 'gu',
  punjab: 'pa',
  'west bengal': 'bn',
  odisha: 'or',
  bihar: 'hi',
  'uttar pradesh': 'hi',
  'madhya pradesh': 'hi',
  rajasthan: 'hi',
  haryana: 'hi',
  'himachal pradesh': 'hi',
  uttarakhand: 'hi',
  jharkhand: 'hi',
  chhattisgarh: 'hi',
  delhi: 'hi',
  chandigarh: 'hi',
  'jammu and kashmir': 'hi',
  ladakh: 'hi',
  'andaman and nicobar islands': 'hi',
  'dadra and nagar haveli and daman and diu': 'hi',
  goa: 'hi',
  assam: 'hi',
  'arunachal pradesh': 'hi',
  manipur: 'hi',
  meghalaya: 'hi',
  mizoram: 'hi',
  nagaland: 'hi',
  sikkim: 'hi',
  tripura: 'hi',
};

/** Old names, abbreviations and spellings that public code silently sends to English (§8). */
const STATE_ALIASES: Readonly<Record<string, string>> = {
  orissa: 'odisha',
  pondicherry: 'puducherry',
  pondy: 'puducherry',
  'nct of delhi': 'delhi',
  'new delhi': 'delhi',
  'delhi ncr': 'delhi',
  'national capital territory of delhi': 'delhi',
  up: 'uttar pradesh',
  mp: 'madhya pradesh',
  tn: 'tamil nadu',
  ap: 'andhra pradesh',
  ts: 'telangana',
  tg: 'telangana',
  wb: 'west bengal',
  mh: 'maharashtra',
  ka: 'karnataka',
  kl: 'kerala',
  gj: 'gujarat',
  pb: 'punjab',
  hr: 'haryana',
  hp: 'himachal pradesh',
  uk: 'uttarakhand',
  uttaranchal: 'uttarakhand',
  jk: 'jammu and kashmir',
  'j&k': 'jammu and kashmir',
  'jammu & kashmir': 'jammu and kashmir',
  'andaman & nicobar': 'andaman and nicobar islands',
  'andaman and nicobar': 'andaman and nicobar islands',
  'dadra and nagar haveli': 'dadra and nagar haveli and daman and diu',
  'daman and diu': 'dadra and nagar haveli and daman and diu',
  cg: 'chhattisgarh',
  chattisgarh: 'chhattisgarh',
  jh: 'jharkhand',
  br: 'bihar',
  rj: 'rajasthan',
  od: 'odisha',
  or: 'odisha',
  bengal: 'west bengal',
};

/** Canonical state name (lower-case) or undefined when the state is unknown. */
function canonicalState(input: string | undefined | null): string | undefined {
  if (!input) return undefined;
  const key = input.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\.$/, '');
  if (key === '') return undefined;
  const canonical = STATE_ALIASES[key] ?? key;
  return Object.hasOwn(STATE_LANGUAGE, canonical) ? canonical : undefined;
}

export function languageForState(input: string | undefined | null): LanguageCode | undefined {
  const state = canonicalState(input);
  return state === undefined ? undefined : STATE_LANGUAGE[state];
}

export type LanguageChoice = {
  code: LanguageCode;
  source: 'language_code' | 'state' | 'default';
  /** Set when a value was given but could not be used. */
  warning?: string;
};

/** `language_code` if valid, else from `state`, else English (issue 3). */
export function chooseLanguage(languageCode: string | undefined, state: string | undefined): LanguageChoice {
  const fromCode = parseLanguageCode(languageCode);
  if (fromCode) return { code: fromCode, source: 'language_code' };
  const warnings: string[] = [];
  if (languageCode) warnings.push(`unknown language_code "${languageCode}"`);
  const fromState = languageForState(state);
  if (fromState) {
    return warnings.length > 0
      ? { code: fromState, source: 'state', warning: warnings.join('; ') }
      : { code: fromState, source: 'state' };
  }
  if (state) warnings.push(`unknown state "${state}"`);
  return warnings.length > 0 ? { code: 'en', source: 'default', warning: warnings.join('; ') } : { code: 'en', source: 'default' };
}
