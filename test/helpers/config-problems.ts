import { ConfigError } from '../../src/config/load';

/** The problems of the ConfigError that `load` throws; fails when it throws none. */
export function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
