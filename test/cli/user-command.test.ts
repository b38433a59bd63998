import { PassThrough } from 'node:stream';
import { EXIT } from '../../src/cli/exit-codes';
import { userCommand, type UserCommandDeps } from '../../src/cli/user';
import { createPasswordHasher } from '../../src/passwords/hasher';
import { MemoryStore } from '../../src/store/memory-store';
import type { Store } from '../../src/store/store';
import { checkedStore } from '../helpers/checked-store';

const passwords = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });

function text(stream: PassThrough): () => string {
  let written = '';
  stream.on('data', (c) => (written += String(c)));
  return () => written;
}

describe('gatehouse user (the command, with its dependencies passed in)', () => {
  let store: Store;
  let out: () => string;
  let err: () => string;
  let deps: UserCommandDeps;
  const now = Date.UTC(2026, 10, 29, 12);

  beforeEach(() => {
    store = checkedStore(new MemoryStore({ clock: () => now }));
    const [o, e] = [new PassThrough(), new PassThrough()];
    [out, err] = [text(o), text(e)];
    deps = { store, passwords, clock: () => now, readPassword: async () => 'a long password', out: o, err: e };
  });
  afterEach(() => store.close());

  const add = (name = 'Alice') => userCommand('add', name, { firstName: 'Alice', lastName: 'Liddell' }, deps);

  test('add stores the lowercased user with an argon2id hash of the password read, and its names', async () => {
    expect(await add()).toBe(EXIT.ok);
    expect(out()).toBe('created user alice\n');
    const user = await store.findUser('alice');
    expect(user).toMatchObject({ username: 'alice', firstName: 'Alice', lastName: 'Liddell', createdAt: now, generation: expect.any(Number) });
    expect(await passwords.verify(user!.passwordHash, 'a long password')).toBe(true);
  });

  test('add of a taken name exits 3 without asking for a password', async () => {
    await add();
    const readPassword = jest.fn(async () => 'another password');
    expect(await userCommand('add', 'ALICE', {}, { ...deps, readPassword })).toBe(EXIT.exists);
    expect(readPassword).not.toHaveBeenCalled();
    expect(err()).toBe('gatehouse: user alice already exists\n');
  });

  test('add loses a race to a concurrent add: exit 3, the other user kept', async () => {
    const racing: UserCommandDeps = {
      ...deps,
      readPassword: async () => {
        await store.createUser({ username: 'alice', passwordHash: await passwords.hash('the winner'), firstName: null, lastName: null, createdAt: now });
        return 'the loser password';
      },
    };
    expect(await userCommand('add', 'alice', {}, racing)).toBe(EXIT.exists);
    expect(await passwords.verify((await store.findUser('alice'))!.passwordHash, 'the winner')).toBe(true);
  });

  test.each([
    ['short', 'password must be at least 8 characters'],
    ['', 'username and password are required fields'],
    ['bad\u0007bell password', 'password must not contain control characters'],
    ['x'.repeat(129), 'password must be at most 128 characters'],
  ])('add with password %j: the /register message, exit 1, nothing stored', async (password, message) => {
    expect(await userCommand('add', 'bob', {}, { ...deps, readPassword: async () => password })).toBe(EXIT.failed);
    expect(err()).toBe(`gatehouse: ${message}\n`);
    expect(await store.findUser('bob')).toBeNull();
  });

  test('add with a first name /register would refuse: its message, exit 1', async () => {
    expect(await userCommand('add', 'bob', { firstName: 'x'.repeat(101) }, deps)).toBe(EXIT.failed);
    expect(err()).toBe('gatehouse: first_name must be at most 100 characters of text without control characters\n');
  });

  test('an invalid username: the /register rule, exit 1, no password asked', async () => {
    const readPassword = jest.fn(async () => 'a long password');
    expect(await userCommand('passwd', 'not valid!', {}, { ...deps, readPassword })).toBe(EXIT.failed);
    expect(err()).toBe('gatehouse: username must be 1 to 64 characters: letters, digits and . _ - @\n');
    expect(readPassword).not.toHaveBeenCalled();
  });

  test('passwd sets the new password, bumps the generation and ends every session', async () => {
    await add();
    const { generation } = (await store.findUser('alice'))!;
    for (const jti of ['session-one-0123456789', 'session-two-0123456789']) {
      const session = { jti, username: 'alice', issuedAt: now, expiresAt: now + 60_000, userAgent: null, address: null };
      expect(await store.createSession(session, generation, 10)).toBe(true);
    }
    const result = await userCommand('passwd', 'Alice', {}, { ...deps, readPassword: async () => 'a new long password' });
    expect(result).toBe(EXIT.ok);
    expect(out()).toContain('changed the password of alice; all of its sessions have ended\n');
    const user = (await store.findUser('alice'))!;
    expect(user.generation).toBe(generation + 1);
    expect(await passwords.verify(user.passwordHash, 'a new long password')).toBe(true);
    expect(await store.listSessions('alice', now)).toEqual([]);
  });

  test('passwd with a password the rules refuse: exit 1, nothing changed', async () => {
    await add();
    const before = await store.findUser('alice');
    expect(await userCommand('passwd', 'alice', {}, { ...deps, readPassword: async () => 'short' })).toBe(EXIT.failed);
    expect(err()).toBe('gatehouse: password must be at least 8 characters\n');
    expect(await store.findUser('alice')).toEqual(before);
  });

  test('passwd racing another change: exit 1 and says nothing was changed', async () => {
    await add();
    const racing: UserCommandDeps = {
      ...deps,
      readPassword: async () => {
        const { generation } = (await store.findUser('alice'))!;
        await store.changePassword('alice', generation, await passwords.hash('changed meanwhile'), null);
        return 'the slower password';
      },
    };
    expect(await userCommand('passwd', 'alice', {}, racing)).toBe(EXIT.failed);
    expect(err()).toBe('gatehouse: the password of alice was changed meanwhile by someone else; nothing was changed\n');
    expect(await passwords.verify((await store.findUser('alice'))!.passwordHash, 'changed meanwhile')).toBe(true);
  });

  test('passwd and delete of an unknown user exit 4', async () => {
    expect(await userCommand('passwd', 'nobody', {}, deps)).toBe(EXIT.notFound);
    expect(await userCommand('delete', 'nobody', {}, deps)).toBe(EXIT.notFound);
    expect(err()).toBe('gatehouse: no such user: nobody\ngatehouse: no such user: nobody\n');
  });

  test('delete removes the user and its sessions', async () => {
    await add();
    const session = { jti: 'session-one-0123456789', username: 'alice', issuedAt: now, expiresAt: now + 60_000, userAgent: null, address: null };
    await store.createSession(session, (await store.findUser('alice'))!.generation, 10);
    expect(await userCommand('delete', 'ALICE', {}, deps)).toBe(EXIT.ok);
    expect(out()).toContain('deleted user alice and all of its sessions\n');
    expect(await store.findUser('alice')).toBeNull();
    expect(await store.authenticate('alice', 'session-one-0123456789', now)).toBeNull();
  });
});
