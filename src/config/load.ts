import { readFileSync } from 'node:fs';
import defaults from '../../config/default.json';
import { decodeLocalKey } from '../tokens/paserk';
import { checkRedisSettings } from './redis-settings';
import { checkMetricsPort, settingNames, settingsSchema, type SettingName, type Settings } from './settings';

export type Config = Readonly<Settings>;

/** Thrown when the settings are unusable; `problems` lists every one, one line each. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Environment to read; the keys are the setting names. */
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file; when absent, GATEHOUSE_CONFIG from env is used if set. */
  file?: string | undefined;
}

/**
 * Loads the settings: config/default.json, then the optional config file, then the environment.
 * Validates the whole result and throws a ConfigError listing every problem at once.
 */
export function loadConfig({ env = process.env, file }: LoadOptions = {}): Config {
  const problems: string[] = [];
  const path = file ?? (env.GATEHOUSE_CONFIG || undefined);
  const fromFile = path === undefined ? {} : readConfigFile(path, problems);

  const fromEnv: Record<string, string> = {};
  for (const name of settingNames) {
    const value = env[name];
    if (value !== undefined) fromEnv[name] = value;
  }

  const merged: Record<string, unknown> = { ...defaults, ...fromFile, ...fromEnv };
  for (const key of Object.keys(fromFile)) {
    if (!(settingNames as string[]).includes(key)) problems.push(`${key}: unknown setting in ${path}`);
  }
  // Each setting on its own, so that one bad value does not hide the problems of the others.
  const settings: Partial<Record<SettingName, unknown>> = {};
  for (const name of settingNames) {
    const result = settingsSchema.shape[name].safeParse(merged[name]);
    if (result.success) settings[name] = result.data;
    else problems.push(`${name}: ${result.error.issues[0]?.message ?? 'is invalid'}`);
  }
  problems.push(...checkTokenKeys(settings as Partial<Settings>), ...checkTimeouts(settings as Partial<Settings>));
  problems.push(...checkRedisSettings(settings as Partial<Settings>));
  problems.push(...checkMetricsPort(settings as Partial<Settings>));
  if (problems.length > 0) throw new ConfigError(problems);
  const valid = settings as Settings;
  return Object.freeze({
    ...valid,
    TOKEN_KEYS: Object.freeze([...valid.TOKEN_KEYS]) as string[],
    INTROSPECTION_CLIENTS: Object.freeze([...valid.INTROSPECTION_CLIENTS]) as Settings['INTROSPECTION_CLIENTS'],
    REDIS_SENTINELS: Object.freeze([...valid.REDIS_SENTINELS]) as Settings['REDIS_SENTINELS'],
    REDIS_CLUSTER_NODES: Object.freeze([...valid.REDIS_CLUSTER_NODES]) as Settings['REDIS_CLUSTER_NODES'],
  });
}

function readConfigFile(path: string, problems: string[]): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    problems.push(`config file ${path}: not valid JSON (${(err as Error).message})`);
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push(`config file ${path}: must hold a JSON object of settings`);
    return {};
  }
  return parsed as Record<string, unknown>;
}

// Node refuses a headers timeout longer than the request timeout (it would never fire).
function checkTimeouts({ HEADERS_TIMEOUT: headers, REQUEST_TIMEOUT: request }: Partial<Settings>): string[] {
  if (headers === undefined || request === undefined || headers <= request) return [];
  return [`HEADERS_TIMEOUT: must not be longer than REQUEST_TIMEOUT (${request})`];
}

function checkTokenKeys({ TOKEN_KEYS: keys, STORE: store }: Partial<Settings>): string[] {
  if (keys === undefined) return [];
  const problems: string[] = [];
  keys.forEach((key, i) => {
    try {
      decodeLocalKey(key);
    } catch (err) {
      problems.push(`TOKEN_KEYS: entry ${i + 1} ${(err as Error).message}`);
    }
  });
  if (new Set(keys).size !== keys.length) problems.push('TOKEN_KEYS: the same key is listed twice');
  if (store === 'redis' && keys.length === 0) {
    problems.push(
      'TOKEN_KEYS: required when STORE=redis, so tokens survive a restart and are shared by every instance ' +
        '(create one with `gatehouse keygen`)',
    );
  }
  return problems;
}
