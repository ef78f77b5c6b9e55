/** The header tree's bound, measured: the heap and ArrayBuffers it retains after 30,000 headers, not assumed sizes. */
import { describe, expect, it } from 'vitest';
import { CHAIN_PARAMS } from '../../lib/chain/params.js';
import { HeaderTree, MAX_TREE_HEADERS } from '../../lib/chain/tree.js';
import { HeaderSync } from '../../lib/crawler/headers.js';
import { MAX_HEADERS } from '../../lib/wire/limits.js';
import type { BlockHeader } from '../../lib/wire/model.js';
import { decodeMessage, encodePayload } from '../../lib/wire/registry.js';
import { mineHeader, REGTEST_GENESIS } from '../support/blocks.js';
import { MB, retainedBytes } from '../support/memory.js';

describe('header tree memory', () => {
  it('30,000 headers in 15 full messages leave at most MAX_TREE_HEADERS kept and under 8 MB retained', () => {
    const payloads: Uint8Array[] = [];
    let prev: BlockHeader = REGTEST_GENESIS;
    for (let m = 0; m < 15; m++) {
      const batch: BlockHeader[] = [];
      for (let i = 0; i < MAX_HEADERS; i++) batch.push((prev = mineHeader(prev, { time: prev.time + 600 })));
      payloads.push(encodePayload({ command: 'headers', headers: batch }));
    }
    const before = retainedBytes();
    const sync = new HeaderSync(new HeaderTree(CHAIN_PARAMS.regtest));
    const now = Date.UTC(2026, 0, 1);
    sync.ready('A', now);
    for (const payload of payloads) {
      // Decoded as the crawler decodes them: each header's fields are views into its message.
      const msg = decodeMessage({ command: 'headers', payload });
      if (msg.command === 'headers') sync.headers('A', msg.headers, now);
    }
    payloads.length = 0;
    const retained = retainedBytes() - before;
    expect(sync.tree.best.height).toBe(30_000);
    expect(sync.tree.size).toBeLessThanOrEqual(MAX_TREE_HEADERS);
    expect(retained).toBeLessThan(8 * MB);
  });
});
