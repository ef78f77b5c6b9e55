import { MAX_ADDR_ENTRIES } from '../limits.js';
import type { TimedNetAddr } from '../messages.js';
import { checkOutgoing, MAX_COMPACT_SIZE_BYTES, type Codec } from './codec.js';
import { NETADDR_BYTES, readNetAddr, writeNetAddr } from './fields.js';

/** A legacy addr entry: u32 time + the 26-byte address. */
export const ADDR_ENTRY_BYTES = 4 + NETADDR_BYTES;

/** Count + MAX_ADDR_TO_SEND (net.h) entries = 30,009 bytes. */
export const MAX_ADDR_PAYLOAD = MAX_COMPACT_SIZE_BYTES + MAX_ADDR_ENTRIES * ADDR_ENTRY_BYTES;

/** Legacy `addr`; Core disconnects a peer that sends more than MAX_ADDR_TO_SEND (net_processing.cpp). */
export const addrCodec: Codec<'addr'> = {
  command: 'addr',
  maxPayload: MAX_ADDR_PAYLOAD,
  decode(r) {
    const n = r.limitedCount(ADDR_ENTRY_BYTES, MAX_ADDR_ENTRIES, 'addr entries');
    const addrs: TimedNetAddr[] = [];
    for (let i = 0; i < n; i++) {
      const time = r.u32le('addr time');
      addrs.push({ time, ...readNetAddr(r, 'addr') });
    }
    return { command: 'addr', addrs };
  },
  encode(m, w) {
    checkOutgoing(m.addrs.length, MAX_ADDR_ENTRIES, 'addr entries');
    w.compactSize(m.addrs.length);
    for (const a of m.addrs) {
      w.u32le(a.time);
      writeNetAddr(a, w, 'addr');
    }
  },
};
