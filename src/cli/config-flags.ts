/**
 * Every config key as a flag: `server.max_body_bytes` → `--server-max-body-bytes`,
 * plus the short aliases people type (`--data`, `--host`, `--port`, `--auth`).
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { FLAG_ALIASES as ALIASES, flagName, leaves, loadConfig, type Config } from '../config/load.js';


const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Adds `--config` and `--data` to a command, and with `allKeys` one flag per
 * config key (for `serve`; other commands keep their help short).
 */
export function addConfigFlags(cmd: Command, allKeys = false): Command {
  cmd.addOption(new Option('-c, --config <file>', 'YAML config file (default: ./vigil.yaml if present)').env('VIGIL_CONFIG'));
  for (const leaf of allKeys ? leaves() : leaves().filter((l) => l.path === 'data_dir')) {
    const alias = ALIASES[leaf.path];
    const flag = alias ?? flagName(leaf.path);
    const desc = `${String(leaf.schema.description ?? leaf.path)} [${leaf.path}]`;
    cmd.addOption(new Option(`--${flag} <value>`, desc));
    if (alias) cmd.addOption(new Option(`--${flagName(leaf.path)} <value>`).hideHelp());
  }
  return cmd;
}

let excludedCategories: string[] | undefined;

/** The list given by `--audit_log_excluded_categories=…`/`+=…`, taken out of argv before parsing. */
export function setExcludedCategoriesFlag(categories: string[] | undefined): void {
  excludedCategories = categories;
}

/** Loads the config for a command from its parsed options. */
export function configFrom(opts: Record<string, unknown>): Config {
  const overrides: Record<string, unknown> = {};
  const overrideNames: Record<string, string> = {};
  if (excludedCategories) {
    overrides.exclude_categories = excludedCategories;
    overrideNames.exclude_categories = '--audit_log_excluded_categories';
  }
  for (const leaf of leaves()) {
    for (const flag of [ALIASES[leaf.path], flagName(leaf.path)]) {
      const v = flag ? opts[camel(flag)] : undefined;
      if (v !== undefined) overrides[leaf.path] = v;
    }
  }
  const file = (opts.config as string | undefined) ?? (existsSync('vigil.yaml') ? 'vigil.yaml' : undefined);
  return loadConfig({ file, overrides, overrideNames });
}
