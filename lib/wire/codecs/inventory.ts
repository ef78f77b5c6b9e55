import { MAX_INV_ENTRIES } from '../limits.js';
import type { InvCommand, InvItem } from '../messages.js';
import { checkOutgoing, HASH_BYTES, MAX_COMPACT_SIZE_BYTES, type Codec, type FamilyCodec } from './codec.js';

/** protocol.h CInv: u32 type + 32-byte hash. */
export const INV_ENTRY_BYTES = 4 + HASH_BYTES;

/** A full inv: the count and MAX_INV_SZ (net_processing.cpp) entries = 1,800,009 bytes. */
export const MAX_INV_PAYLOAD = MAX_COMPACT_SIZE_BYTES + MAX_INV_ENTRIES * INV_ENTRY_BYTES;

/**
 * inv, getdata and notfound share CInv vectors. Core disconnects a peer whose inv or getdata
 * has more than MAX_INV_SZ entries (net_processing.cpp); notfound is bounded the same way here.
 * Hashes are views into the payload.
 */
function inventoryCodec<C extends InvCommand>(command: C): FamilyCodec<C, { readonly items: readonly InvItem[] }> {
  return {
    command,
    maxPayload: MAX_INV_PAYLOAD,
    decode(r) {
      const n = r.limitedCount(INV_ENTRY_BYTES, MAX_INV_ENTRIES, `${command} entries`);
      const items: InvItem[] = new Array<InvItem>(n);
      // `key` is there from the start (filled by invKey), so that every item has one shape.
      for (let i = 0; i < n; i++) items[i] = { type: r.u32le('inv type'), hash: r.hash('inv hash'), key: undefined };
      return { command, items };
    },
    encode(m, w) {
      checkOutgoing(m.items.length, MAX_INV_ENTRIES, `${command} entries`);
      w.compactSize(m.items.length);
      for (const item of m.items) {
        if (item.hash.length !== HASH_BYTES) throw new RangeError(`cannot encode ${command}: a hash must be ${HASH_BYTES} bytes`);
        w.u32le(item.type).bytes(item.hash);
      }
    },
  };
}

export const invCodec: Codec<'inv'> = inventoryCodec('inv');
export const getdataCodec: Codec<'getdata'> = inventoryCodec('getdata');
export const notfoundCodec: Codec<'notfound'> = inventoryCodec('notfound');
