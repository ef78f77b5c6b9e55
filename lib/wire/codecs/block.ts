import { readBlock, writeBlock } from '../block.js';
import { MAX_PAYLOAD_BYTES } from '../limits.js';
import type { Codec } from './codec.js';

/** MAX_BLOCK_SERIALIZED_SIZE (consensus.h) is 4,000,000 bytes, the same as the message limit. */
export const MAX_BLOCK_PAYLOAD = MAX_PAYLOAD_BYTES;

/** `block`: header and transactions, decoded by ../block.ts. */
export const blockCodec: Codec<'block'> = {
  command: 'block',
  maxPayload: MAX_BLOCK_PAYLOAD,
  decode: (r) => ({ command: 'block', block: readBlock(r) }),
  encode(m, w) {
    writeBlock(m.block, w);
  },
};
