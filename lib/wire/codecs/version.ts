import { MAX_USER_AGENT_BYTES } from '../limits.js';
import type { NetAddr } from '../messages.js';
import type { Codec } from './codec.js';
import { IP_BYTES, NETADDR_BYTES, readNetAddr, writeNetAddr } from './fields.js';

/**
 * A version with every field present and the longest user agent: version 4, services 8,
 * time 8, addr_recv 26, addr_from 26, nonce 8, user agent 3 + 256 (CompactSize 0xfd + u16),
 * start height 4, relay 1 = 344 bytes.
 */
export const FULL_VERSION_BYTES = 4 + 8 + 8 + NETADDR_BYTES + NETADDR_BYTES + 8 + (3 + MAX_USER_AGENT_BYTES) + 4 + 1;

/**
 * The version payload we accept: the full 344 bytes plus room for fields a future protocol
 * version may append after relay (Core reads what it knows and ignores the rest, so such peers
 * exist in principle). 1,000 bytes in all is generous for that and still "a few hundred" bytes
 * away from being a memory concern.
 */
export const MAX_VERSION_PAYLOAD = 1_000;

/** What an addr_from absent from an old, short version means: the unspecified address, as Core leaves it. */
function unspecifiedAddr(): NetAddr {
  return { services: 0n, ip: new Uint8Array(IP_BYTES), port: 0 };
}

/**
 * `version`, read in Core's order (net_processing.cpp, ProcessMessage NetMsgType::VERSION):
 * version, services, time and addr_recv are mandatory; then, each only `if (!vRecv.empty())`,
 * addr_from + nonce together, the user agent (LIMITED_STRING, MAX_SUBVERSION_LENGTH), the
 * start height and the BIP 37 relay flag, which defaults to true. A 60002-era peer stops after
 * the start height; very old ones after addr_recv. Trailing bytes are allowed (see registry.ts).
 */
export const versionCodec: Codec<'version'> = {
  command: 'version',
  maxPayload: MAX_VERSION_PAYLOAD,
  decode(r) {
    const version = r.i32le('version');
    const services = r.u64le('services');
    const timestamp = r.i64le('timestamp');
    const addrRecv = readNetAddr(r, 'addr_recv');
    let addrFrom = unspecifiedAddr();
    let nonce = 0n;
    let userAgent = '';
    let startHeight = 0;
    let relay = true;
    if (r.remaining > 0) {
      addrFrom = readNetAddr(r, 'addr_from');
      nonce = r.u64le('nonce');
    }
    if (r.remaining > 0) userAgent = r.varStr(MAX_USER_AGENT_BYTES, 'user agent');
    if (r.remaining > 0) startHeight = r.i32le('start height');
    if (r.remaining > 0) relay = r.bool('relay');
    return { command: 'version', version, services, timestamp, addrRecv, addrFrom, nonce, userAgent, startHeight, relay };
  },
  encode(m, w) {
    const userAgent = new TextEncoder().encode(m.userAgent);
    if (userAgent.length > MAX_USER_AGENT_BYTES) {
      throw new RangeError(`cannot encode version: user agent is ${userAgent.length} bytes > ${MAX_USER_AGENT_BYTES}`);
    }
    w.i32le(m.version).u64le(m.services).i64le(m.timestamp);
    writeNetAddr(m.addrRecv, w, 'addr_recv');
    writeNetAddr(m.addrFrom, w, 'addr_from');
    w.u64le(m.nonce).varBytes(userAgent).i32le(m.startHeight).bool(m.relay);
  },
};
