/**
 * Why a v2 (BIP 324) session gave up on its peer. Each one ends the session: Core's V2Transport
 * returns false from ReceivedBytes for each of them (src/net.cpp), and its caller disconnects.
 *  - garbage-too-long: no garbage terminator within MAX_GARBAGE_LEN garbage bytes
 *    (V2Transport::ProcessReceivedGarbageBytes, "missing garbage terminator").
 *  - bad-version-packet: a packet up to and including the version packet failed authentication
 *    (the first one after the terminator authenticates the garbage): garbage altered on the way,
 *    or a broken peer. Core logs it as any decryption failure. (A peer on another network never
 *    gets this far: its garbage terminator differs too, so it runs into garbage-too-long.)
 *  - bad-tag: a later packet failed authentication (ProcessReceivedPacketBytes, "packet
 *    decryption failure").
 *  - oversized: a packet length above MAX_V2_CONTENTS (ProcessReceivedPacketBytes, "packet too
 *    large"), refused from its 3 length bytes, before anything is allocated for it.
 *  - v1-peer / wrong-network-v1: a responder got the start of a v1 `version` message, with our
 *    magic or with another network's (ProcessReceivedKeyBytes, "V1 peer with wrong
 *    MessageStart"). A responder should have checked looksLikeV1Version before using v2.
 *  - wrong-network-v2: the peer's garbage terminator is the one another network's magic gives
 *    (BIP 324 salts its keys with the magic). Core cannot tell and runs into garbage-too-long or
 *    its timeout; we name the network at once.
 */
export type V2ErrorReason = 'garbage-too-long' | 'bad-version-packet' | 'bad-tag' | 'oversized' | 'v1-peer' | 'wrong-network-v1' | 'wrong-network-v2';

/** The one error a V2Session throws for hostile or broken input; anything else is a bug. */
export class V2Error extends Error {
  override readonly name = 'V2Error';
  constructor(
    readonly reason: V2ErrorReason,
    message: string,
    /** wrong-network-v1: the magic the peer sent; -v2: the one its garbage terminator was derived with. */
    readonly magic?: number,
  ) {
    super(message);
  }
}
