import { z } from 'zod';

// A list is a JSON array in a file, or a comma-separated string in the environment.
export const list = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : v,
  z.array(z.string({ error: 'must be a list of strings' }), { error: 'must be a list' }),
);
