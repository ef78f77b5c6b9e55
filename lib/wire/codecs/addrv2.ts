import { DecodeError } from '../errors.js';
import { MAX_ADDR_ENTRIES, MAX_ADDRV2_ADDR_BYTES } from '../limits.js';
import { AddrNetwork, type AddrV2Entry } from '../messages.js';
import { checkOutgoing, MAX_COMPACT_SIZE_BYTES, type Codec } from './codec.js';
import { readCompactSizeU64, writeCompactSizeU64 } from './fields.js';

/**
 * BIP 155 address lengths of the networks it defines. A known id with another length is
 * invalid (BIP 155 "MUST reject"; Core netaddress.cpp SetNetFromBIP155Network throws).
 * Unknown ids are kept: BIP 155 says to ignore them, not to reject the message.
 */
export const ADDRV2_ADDR_BYTES: Readonly<Record<number, number>> = {
  [AddrNetwork.IPV4]: 4,
  [AddrNetwork.IPV6]: 16,
  // Obsolete (Tor dropped v2 onions), but still BIP 155's fixed length.
  [AddrNetwork.TORV2]: 10,
  [AddrNetwork.TORV3]: 32,
  [AddrNetwork.I2P]: 32,
  [AddrNetwork.CJDNS]: 16,
  [AddrNetwork.YGGDRASIL]: 16,
};

/** The smallest entry: time 4, services 1, network 1, length 1, no address, port 2. */
export const MIN_ADDRV2_ENTRY_BYTES = 4 + 1 + 1 + 1 + 2;
/** The largest entry: time 4, services 9, network 1, length 3 + 512 bytes, port 2 = 531. */
export const MAX_ADDRV2_ENTRY_BYTES = 4 + MAX_COMPACT_SIZE_BYTES + 1 + 3 + MAX_ADDRV2_ADDR_BYTES + 2;
/** Count + MAX_ADDR_TO_SEND (net.h) of the largest entries = 531,009 bytes. */
export const MAX_ADDRV2_PAYLOAD = MAX_COMPACT_SIZE_BYTES + MAX_ADDR_ENTRIES * MAX_ADDRV2_ENTRY_BYTES;

function checkLength(networkId: number, length: number, at: number): void {
  const expected = ADDRV2_ADDR_BYTES[networkId];
  if (expected !== undefined && length !== expected) {
    throw new DecodeError(`BIP 155 network ${networkId} address with length ${length} (should be ${expected})`, at);
  }
}

/**
 * BIP 155 `addrv2`: u32 time | CompactSize services (a u64 bit field, not range-checked) |
 * u8 network id | CompactSize length + address (≤ MAX_ADDRV2_SIZE, 512) | u16 BE port.
 * Addresses are views into the payload.
 */
export const addrv2Codec: Codec<'addrv2'> = {
  command: 'addrv2',
  maxPayload: MAX_ADDRV2_PAYLOAD,
  decode(r) {
    const n = r.limitedCount(MIN_ADDRV2_ENTRY_BYTES, MAX_ADDR_ENTRIES, 'addrv2 entries');
    const addrs: AddrV2Entry[] = [];
    for (let i = 0; i < n; i++) {
      const time = r.u32le('addrv2 time');
      const services = readCompactSizeU64(r, 'addrv2 services');
      const networkId = r.u8('addrv2 network id');
      const at = r.offset;
      const addr = r.varBytes(MAX_ADDRV2_ADDR_BYTES, 'addrv2 address');
      checkLength(networkId, addr.length, at);
      const port = r.u16be('addrv2 port');
      addrs.push({ time, services, networkId, addr, port });
    }
    return { command: 'addrv2', addrs };
  },
  encode(m, w) {
    checkOutgoing(m.addrs.length, MAX_ADDR_ENTRIES, 'addrv2 entries');
    w.compactSize(m.addrs.length);
    for (const a of m.addrs) {
      checkOutgoing(a.addr.length, MAX_ADDRV2_ADDR_BYTES, 'addrv2 address bytes');
      const expected = ADDRV2_ADDR_BYTES[a.networkId];
      if (expected !== undefined && a.addr.length !== expected) {
        throw new RangeError(`cannot encode addrv2: network ${a.networkId} needs ${expected} address bytes, got ${a.addr.length}`);
      }
      w.u32le(a.time);
      writeCompactSizeU64(a.services, w);
      w.u8(a.networkId).varBytes(a.addr).u16be(a.port);
    }
  },
};
