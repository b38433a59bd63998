import { MemoryStore } from '../../src/store/memory-store';
import { storeContract } from './store.contract';

storeContract('memory', {
  create: async () => new MemoryStore(),
  destroy: (store) => store.close(),
});

describe('MemoryStore', () => {
  test('sweep drops expired sessions of every user, so memory does not grow with old logins', async () => {
    const store = new MemoryStore();
    const now = Date.now();
    await store.createUser({ username: 'a', passwordHash: 'h', firstName: null, lastName: null, createdAt: now });
    const { generation } = (await store.findUser('a'))!;
    for (let i = 0; i < 5; i += 1) {
      await store.createSession(
        { jti: `j${i}`, username: 'a', issuedAt: now, expiresAt: now + 1000 * (i + 1), userAgent: null, address: null },
        generation,
        10,
      );
    }
    store.sweep(now + 3000);
    // Only the sessions expiring after the sweep remain, even for a reader that looks earlier.
    expect((await store.listSessions('a', now)).map((s) => s.jti)).toEqual(['j3', 'j4']);
    await store.close();
  });
});
