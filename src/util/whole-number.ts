/**
 * The one parser of whole numbers as people type them (settings, flags, query parameters, ExoML attribute
 * values the simulator reads): ASCII digits only, so no sign, exponent, fraction or surrounding space (callers
 * that allow space trim first), within an inclusive range. It returns undefined instead of throwing: each caller
 * words its own error. Pure.
 */
export type WholeNumberRange = { min?: number; max?: number };

export function parseWholeNumber(text: string, range: WholeNumberRange = {}): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  if (value < (range.min ?? 0) || value > (range.max ?? Number.POSITIVE_INFINITY)) return undefined;
  return value;
}
