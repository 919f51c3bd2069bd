/** URL shapes the validators accept (docs/exotel-protocol.md §10.5): absolute http(s), relative (a warning), else an error. */
export type UrlShape = 'absolute' | 'relative' | 'invalid';

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export function urlShape(value: string): UrlShape {
  if (value === '' || /\s/.test(value)) return 'invalid';
  if (SCHEME.test(value)) {
    if (!/^https?:\/\//i.test(value)) return 'invalid';
    try {
      return new URL(value).hostname === '' ? 'invalid' : 'absolute';
    } catch {
      return 'invalid';
    }
  }
  try {
    new URL(value, 'http://example.invalid/');
    return 'relative';
  } catch {
    return 'invalid';
  }
}

/** `https://x/a.wav?v=2` → true: the path (not the query) ends in .wav or .mp3, case-insensitively. */
export function isAudioPath(value: string): boolean {
  try {
    return /\.(wav|mp3)$/i.test(new URL(value, 'http://example.invalid/').pathname);
  } catch {
    return false;
  }
}
