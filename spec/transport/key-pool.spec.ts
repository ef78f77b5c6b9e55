/** Our BIP 324 keys made ahead: each one valid, handed out once, and the pool bounded. */
import { describe, expect, it } from 'vitest';
import { setImmediate as turn } from 'node:timers/promises';
import { KEY_POOL_SIZE, pooledKeys, takeKey } from '../../lib/transport/key-pool.js';
import { ellswiftDecode } from '../../lib/transport/ellswift.js';
import { ecBackend } from '../../lib/transport/secp.js';
import { toHex } from '../../lib/wire/hex.js';

describe('the ephemeral key pool', () => {
  it('hands out distinct keys whose encoding is their public X, refills to its bound in later turns and no further', async () => {
    const seen = new Set<string>();
    const take = (): void => {
      const key = takeKey();
      expect(toHex(ellswiftDecode(key.ellswift))).toBe(toHex(ecBackend.publicX(key.privkey)));
      seen.add(toHex(key.privkey));
    };
    take();
    // One key a turn of the event loop, until the bound.
    for (let i = 0; i < 10 * KEY_POOL_SIZE && pooledKeys() < KEY_POOL_SIZE; i++) await turn();
    expect(pooledKeys()).toBe(KEY_POOL_SIZE);
    for (let i = 0; i < 3; i++) await turn();
    expect(pooledKeys()).toBe(KEY_POOL_SIZE);
    // Drain it and more: every key is new (popped, never handed out twice).
    for (let i = 0; i < KEY_POOL_SIZE + 5; i++) take();
    expect(seen.size).toBe(KEY_POOL_SIZE + 6);
  });
});
