/**
 * A JSON string literal, without JSON.stringify's generic path for the common value that needs no escape: the same
 * text as JSON.stringify(value). Well-formed JSON.stringify escapes `"`, `\`, C0 controls and lone surrogates; a
 * value with any of those (a surrogate pair too, rarely) is left to it. Pure.
 */
const JSON_SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Whether JSON.stringify(value) is more than the value between two quotes. */
export const needsJsonEscape = (value: string): boolean => JSON_SPECIAL.test(value);

export const jsonString = (value: string): string => (JSON_SPECIAL.test(value) ? JSON.stringify(value) : `"${value}"`);
