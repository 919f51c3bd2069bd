import { readFileSync } from 'node:fs';

/** Read once from package.json next to dist/ or src/ (both are one level below the package root). */
function readVersion(): string {
  const parsed: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  if (parsed !== null && typeof parsed === 'object' && 'version' in parsed && typeof parsed.version === 'string')
    return parsed.version;
  return '0.0.0';
}

export const VERSION = readVersion();
