/**
 * Commander options from the settings table (src/config.ts): the flag, its help with the env name and the
 * default, and the way back from commander's parsed options to setting keys. No commander default is set:
 * an absent flag must fall through to the environment, the .env file and then the table's default.
 */
import { Option, type Command } from 'commander';
import { SETTINGS, type ConfigFlags, type SettingKey, type SettingSpec } from '../config.ts';

export type SettingText = {
  /** This command's wording, instead of the table's. */
  help?: string;
  /** This command's default, where it differs from the table's. */
  defaultDoc?: string;
};

/** The table's text marks code with backticks for README; a terminal shows it plain. */
const plain = (text: string) => text.replaceAll('`', '');

export function settingOption(key: SettingKey, wording: SettingText = {}): Option {
  const setting: SettingSpec = SETTINGS[key];
  const fallback =
    wording.defaultDoc ?? setting.defaultDoc ?? (setting.default === undefined ? undefined : String(setting.default));
  const help = `${wording.help ?? setting.help} (env ${setting.env}${fallback === undefined ? '' : `, default ${fallback}`})`;
  return new Option(setting.flag, plain(help));
}

export function addSettingOptions(command: Command, keys: readonly SettingKey[]): Command {
  for (const key of keys) command.addOption(settingOption(key));
  return command;
}

/** Commander's parsed options → the flags layer of loadConfig (commander names `--brand` brand, not brandName). */
export function settingFlags(options: Readonly<Record<string, unknown>>, keys: readonly SettingKey[]): ConfigFlags {
  const flags: ConfigFlags = {};
  for (const key of keys) {
    const value = options[new Option(SETTINGS[key].flag).attributeName()];
    if (typeof value === 'string') flags[key] = value;
  }
  return flags;
}

/** The long flag, as README names it (`--port`, not `-p, --port <port>`). */
export function longFlag(key: SettingKey): string {
  return new Option(SETTINGS[key].flag).long ?? SETTINGS[key].flag;
}
