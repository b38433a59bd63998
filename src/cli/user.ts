import { BadRequest } from '../http/errors';
import type { PasswordHasher } from '../passwords/hasher';
import type { Store } from '../store/store';
import { normalizeUsername, passwordProblem, readRegistration, USERNAME_RULE } from '../users/registration';
import { EXIT, type ExitCode } from './exit-codes';

export const USER_ACTIONS = ['add', 'delete', 'passwd'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

export interface UserCommandDeps {
  store: Store;
  passwords: Pick<PasswordHasher, 'hash'>;
  /** Current time in milliseconds since the epoch. */
  clock: () => number;
  /** Reads the new password for `username` (stdin or a no-echo prompt). */
  readPassword(username: string): Promise<string>;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** Optional profile fields for `user add`, as /register takes them. */
export interface UserNames {
  firstName?: string | undefined;
  lastName?: string | undefined;
}

/**
 * `gatehouse user add|delete|passwd USERNAME` against the configured store, with the rules of
 * /register (the same functions, so the CLI cannot accept what the API refuses).
 */
export async function userCommand(
  action: UserAction,
  name: string,
  names: UserNames,
  deps: UserCommandDeps,
): Promise<ExitCode> {
  const username = normalizeUsername(name);
  if (username === null) return fail(deps, EXIT.failed, USERNAME_RULE);
  switch (action) {
    case 'add':
      return addUser(username, names, deps);
    case 'delete':
      return deleteUser(username, deps);
    case 'passwd':
      return changePassword(username, deps);
  }
}

async function addUser(username: string, names: UserNames, deps: UserCommandDeps): Promise<ExitCode> {
  const { store, passwords, clock, out } = deps;
  // Saves the operator typing a password for a name that is taken; createUser is the real check.
  if ((await store.findUser(username)) !== null) return exists(deps, username);
  let registration;
  try {
    registration = readRegistration({
      username,
      password: await deps.readPassword(username),
      first_name: names.firstName,
      last_name: names.lastName,
    });
  } catch (e) {
    if (e instanceof BadRequest) return fail(deps, EXIT.failed, e.message);
    throw e;
  }
  const { password, firstName, lastName } = registration;
  const passwordHash = await passwords.hash(password);
  if (!(await store.createUser({ username, passwordHash, firstName, lastName, createdAt: clock() }))) {
    return exists(deps, username);
  }
  out.write(`created user ${username}\n`);
  return EXIT.ok;
}

async function deleteUser(username: string, deps: UserCommandDeps): Promise<ExitCode> {
  if (!(await deps.store.deleteUser(username))) return notFound(deps, username);
  deps.out.write(`deleted user ${username} and all of its sessions\n`);
  return EXIT.ok;
}

async function changePassword(username: string, deps: UserCommandDeps): Promise<ExitCode> {
  const { store, passwords, out } = deps;
  const user = await store.findUser(username);
  if (user === null) return notFound(deps, username);
  const password = await deps.readPassword(username);
  const problem = password === '' ? 'password is a required field' : passwordProblem(password);
  if (problem !== null) return fail(deps, EXIT.failed, problem);
  const passwordHash = await passwords.hash(password);
  // null: no session is kept; every token of the user stops working now.
  if (!(await store.changePassword(username, user.generation, passwordHash, null))) {
    if ((await store.findUser(username)) === null) return notFound(deps, username);
    return fail(deps, EXIT.failed, `the password of ${username} was changed meanwhile by someone else; nothing was changed`);
  }
  out.write(`changed the password of ${username}; all of its sessions have ended\n`);
  return EXIT.ok;
}

function exists(deps: UserCommandDeps, username: string): ExitCode {
  return fail(deps, EXIT.exists, `user ${username} already exists`);
}

function notFound(deps: UserCommandDeps, username: string): ExitCode {
  return fail(deps, EXIT.notFound, `no such user: ${username}`);
}

function fail(deps: UserCommandDeps, code: ExitCode, message: string): ExitCode {
  deps.err.write(`gatehouse: ${message}\n`);
  return code;
}
