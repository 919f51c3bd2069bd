/**
 * Prompt templates per language. The bundled set lives in `prompts/<code>.json` at the package root; a user's
 * `--prompts-dir` holds files of the same name whose keys override ours. Templates use `{placeholder}`s; a
 * template whose placeholders are not all known is not spoken (its fallback is), so a customer without a loan id
 * never hears "your loan {loan_id}".
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.ts';
import { LANGUAGE_CODES, type LanguageCode } from '../exotel/language.ts';

const PROMPT_KEYS = [
  'greeting',
  'greetingNoName',
  'reminder',
  'reminderNoLoan',
  'dueOn',
  'menu',
  'reprompt',
  'transfer',
  'agentUnavailable',
  'goodbye',
  'noInput',
  'error',
] as const;
export type PromptKey = (typeof PROMPT_KEYS)[number];
type PromptSet = Readonly<Record<PromptKey, string>>;
export type PromptCatalog = Readonly<Record<LanguageCode, PromptSet>>;

const PLACEHOLDERS = ['name', 'bot', 'brand', 'loan_id', 'amount', 'due_date'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
export type PromptValues = Partial<Record<Placeholder, string>>;

const PLACEHOLDER_RE = /\{([a-z_]+)\}/g;

const BUNDLED_PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));

/** `{name}` → value; returns undefined when a placeholder has no value. Values are plain text (escaped later). */
export function renderTemplate(template: string, values: PromptValues): string | undefined {
  let missing = false;
  const text = template.replace(PLACEHOLDER_RE, (_whole, name: string) => {
    const value = (values as Record<string, string | undefined>)[name];
    if (value === undefined || value === '') {
      missing = true;
      return '';
    }
    return value;
  });
  return missing ? undefined : text;
}

function checkSet(source: string, raw: unknown, partial: boolean): Partial<Record<PromptKey, string>> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${source}: prompts must be a JSON object`);
  const out: Partial<Record<PromptKey, string>> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(PROMPT_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`${source}: unknown prompt "${key}"`, { hint: `known prompts: ${PROMPT_KEYS.join(', ')}` });
    }
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${source}: prompt "${key}" must be a non-empty string`);
    for (const match of value.matchAll(PLACEHOLDER_RE)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(match[1] ?? '')) {
        throw new UsageError(`${source}: prompt "${key}" uses unknown placeholder {${match[1]}}`, {
          hint: `placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
        });
      }
    }
    out[key as PromptKey] = value;
  }
  if (!partial) {
    const absent = PROMPT_KEYS.filter((key) => out[key] === undefined);
    if (absent.length > 0) throw new UsageError(`${source}: missing prompts ${absent.join(', ')}`);
  }
  return out;
}

async function readJson(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read prompts file ${path}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`prompts file ${path} is not valid JSON`, { cause: error });
  }
}

/** Load the bundled prompts, then overlay `<overrideDir>/<code>.json` where present. Fails at start, not mid-call. */
export async function loadPrompts(overrideDir?: string): Promise<PromptCatalog> {
  const catalog = {} as Record<LanguageCode, PromptSet>;
  for (const code of LANGUAGE_CODES) {
    const bundledPath = join(BUNDLED_PROMPTS_DIR, `${code}.json`);
    const bundled = await readJson(bundledPath);
    if (bundled === undefined) throw new UsageError(`bundled prompts missing: ${bundledPath}`);
    const base = checkSet(bundledPath, bundled, false) as Record<PromptKey, string>;
    let merged = base;
    if (overrideDir !== undefined) {
      const overridePath = join(overrideDir, `${code}.json`);
      const override = await readJson(overridePath);
      if (override !== undefined) merged = { ...base, ...checkSet(overridePath, override, true) };
    }
    catalog[code] = Object.freeze(merged);
  }
  return Object.freeze(catalog);
}
