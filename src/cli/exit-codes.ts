/**
 * Exit codes of the command line, the same for every command, so scripts can branch on them
 * (e.g. treat "already exists" as success when provisioning).
 */
export const EXIT = {
  /** Done; for healthcheck: the server answered ready. */
  ok: 0,
  /** Refused or failed: bad input, invalid settings, store unreachable, server not ready. */
  failed: 1,
  /** Unknown command, option or argument (the usage is printed). */
  usage: 2,
  /** `user add`: the username is taken. */
  exists: 3,
  /** `user delete|passwd`: there is no such user. */
  notFound: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
