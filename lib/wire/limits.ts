/**
 * Every limit the wire layer enforces, in one place, with the Bitcoin Core figure it follows.
 * (Core: src/net.h, src/protocol.h, src/serialize.h, src/net_processing.cpp.)
 */

/** MAX_PROTOCOL_MESSAGE_LENGTH (net.h): largest payload a peer may send, checked from the header. */
export const MAX_PAYLOAD_BYTES = 4_000_000;
/** MAX_SIZE (serialize.h): largest CompactSize value Core accepts in any count or length. */
export const MAX_COMPACT_SIZE = 0x02000000;
/** MAX_INV_SZ (net_processing.cpp): entries in one inv, getdata or notfound. */
export const MAX_INV_ENTRIES = 50_000;
/** MAX_ADDR_TO_SEND (net.h): entries in one addr or addrv2. */
export const MAX_ADDR_ENTRIES = 1_000;
/** MAX_HEADERS_RESULTS (net_processing.cpp): headers in one headers message. */
export const MAX_HEADERS = 2_000;
/** MAX_LOCATOR_SZ (net_processing.cpp): hashes in a getheaders/getblocks locator. */
export const MAX_LOCATOR_HASHES = 101;
/** MAX_SUBVERSION_LENGTH (net.h): user agent bytes in version. */
export const MAX_USER_AGENT_BYTES = 256;
/** BIP 155 / ADDRV2 max address length (netaddress.h MAX_ADDRV2_SIZE). */
export const MAX_ADDRV2_ADDR_BYTES = 512;
/** MIN_PEER_PROTO_VERSION (protocol_version.h): older peers are disconnected. */
export const MIN_PEER_PROTOCOL_VERSION = 31_800;
/** PROTOCOL_VERSION (protocol_version.h) that we announce. */
export const PROTOCOL_VERSION = 70_016;
/** WTXID_RELAY_VERSION (protocol_version.h): BIP 339 and BIP 155 negotiation from here. */
export const WTXID_RELAY_VERSION = 70_016;
/** Header size: magic 4, command 12, length 4, checksum 4. */
export const HEADER_BYTES = 24;
