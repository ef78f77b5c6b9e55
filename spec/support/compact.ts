/** BIP 152 messages for a block, as a peer would build them (blockencodings.cpp CBlockHeaderAndShortTxIDs). */
import { InvType, type CmpctBlockMessage, type Message } from '../../lib/wire/messages.js';
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

/**
 * A scripted node's answer to a getdata item for `block`, as Core's ProcessGetBlockData answers a
 * block near its tip: the block for MSG_WITNESS_BLOCK, its compact block for MSG_CMPCT_BLOCK (the
 * coinbase prefilled, the rest by short id; the crawler asks for what it lacks with getblocktxn,
 * which `prefilled: 'all'` spares a node that does not answer one); undefined for any other type.
 */
export function blockReply(type: number, block: Block, prefilled: 'coinbase' | 'all' = 'all'): Message | undefined {
  if (type === InvType.WITNESS_BLOCK) return { command: 'block', block };
  if (type === InvType.CMPCT_BLOCK) return compactOf(block, 42n, prefilled === 'all' ? block.txs.map((_, i) => i) : [0]);
  return undefined;
}
