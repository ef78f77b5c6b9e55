/**
 * Telling a v1 peer from a BIP 324 one by its first 16 bytes: a v1 `version` header begins with
 * the network's magic and "version" + 5 NULs (BIP 324 V1_PREFIX; Core
 * V2Transport::ProcessReceivedMaybeV1Bytes, ProcessReceivedKeyBytes).
 */
/** BIP 324 V1_PREFIX: magic + "version\0\0\0\0\0"; Core V2Transport::V1_PREFIX_LEN. */
export const V1_PREFIX_LEN = 16;

/** Bytes 4..16 of BIP 324 V1_PREFIX, "version" + 5 NULs (Core ProcessReceivedMaybeV1Bytes v1_prefix). */
export const VERSION_SUFFIX = [0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0, 0, 0, 0, 0];

function v1PrefixByte(i: number, magic: number): number {
  return i < 4 ? (magic >>> (8 * i)) & 0xff : VERSION_SUFFIX[i - 4];
}

/** True when the first 16 bytes are a v1 `version` header's: magic + "version\0\0\0\0\0" (BIP 324, responder). */
export function looksLikeV1Version(first16: Uint8Array, magic: number): boolean {
  if (first16.length < V1_PREFIX_LEN) return false;
  for (let i = 0; i < V1_PREFIX_LEN; i++) if (first16[i] !== v1PrefixByte(i, magic)) return false;
  return true;
}

/**
 * True once a byte among the first 16 differs from the v1 prefix: the moment a BIP 324 responder
 * (Core V2Transport::ProcessReceivedMaybeV1Bytes) knows the peer speaks v2 and sends its key.
 */
export function mismatchesV1Prefix(bytes: Uint8Array, magic: number): boolean {
  const n = Math.min(bytes.length, V1_PREFIX_LEN);
  for (let i = 0; i < n; i++) if (bytes[i] !== v1PrefixByte(i, magic)) return true;
  return false;
}
