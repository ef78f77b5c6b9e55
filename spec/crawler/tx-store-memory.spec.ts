/** The transaction store's bound, measured: the heap and ArrayBuffers it retains, not assumed sizes. */
import { describe, expect, it } from 'vitest';
import { TxStore } from '../../lib/crawler/tx-store.js';
import { isCoinbase } from '../../lib/tx/pow.js';
import { decodeMessage, encodePayload } from '../../lib/wire/registry.js';
import { MB, retainedBytes } from '../support/memory.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';

describe('transaction store memory', () => {
  it('fed 3× its bound in delivered transactions, retains its ring and nothing of what it was fed (at most 1.02× its bound)', () => {
    const bound = 8 * MB;
    const small = typicalTxs().filter((t) => !isCoinbase(t) && t.size < 400);
    const before = retainedBytes();
    const store = new TxStore(bound);
    let fed = 0;
    for (let i = 0; fed < 3 * bound; i++) {
      // Decoded as the crawler decodes a delivered tx: from its own message payload.
      const [t] = distinctTxs(1, [small[i % small.length]]);
      const msg = decodeMessage({ command: 'tx', payload: encodePayload({ command: 'tx', tx: { ...t, locktime: 500_000_000 + i } }) });
      if (msg.command !== 'tx') throw new Error('not a tx');
      store.add(msg.tx);
      fed += msg.tx.raw.length;
    }
    const retained = retainedBytes() - before;
    const said = `${store.size} entries, ${(store.bytes / MB).toFixed(1)} MB counted, ${(retained / MB).toFixed(1)} MB retained`;
    expect(store.bytes).toBeLessThanOrEqual(bound);
    // Measured: 24,0xx entries, 8.0 MB counted, 8.0 MB retained (a map entry and an array each retained 1.25× as much before the ring).
    expect(retained, said).toBeLessThan(1.02 * bound);
  });
});
