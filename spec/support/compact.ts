/** BIP 152 messages for a block, as a peer would build them (blockencodings.cpp CBlockHeaderAndShortTxIDs). */
import type { CmpctBlockMessage } from '../../lib/wire/messages.js';
import type { Block } from '../../lib/wire/model.js';
import { shortId, shortIdKey } from '../../lib/wire/short-id.js';

/** The compact block of `block`: the transactions at `prefilled` sent whole (the coinbase by default), the others by short id. */
export function compactOf(block: Block, nonce = 42n, prefilled: readonly number[] = [0]): CmpctBlockMessage {
  const key = shortIdKey(block.header, nonce);
  const whole = new Set(prefilled);
  return {
    command: 'cmpctblock',
    header: block.header,
    nonce,
    shortIds: block.txs.filter((_, i) => !whole.has(i)).map((tx) => shortId(key, tx.wtxid)),
    prefilled: [...whole].sort((a, b) => a - b).map((index) => ({ index, tx: block.txs[index] })),
  };
}
