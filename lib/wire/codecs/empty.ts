import type { EmptyCommand } from '../messages.js';
import type { Codec, FamilyCodec } from './codec.js';

/** Messages that are only a command: their payload is empty, so any byte in it is refused. */
function emptyCodec<C extends EmptyCommand>(command: C): FamilyCodec<C, Record<never, never>> {
  return {
    command,
    maxPayload: 0,
    decode: () => ({ command }),
    encode() {
      // no payload
    },
  };
}

/** Acknowledges the peer's version; the handshake is done when both sides sent one. */
export const verackCodec: Codec<'verack'> = emptyCodec('verack');
/** BIP 155: the sender wants addrv2 instead of addr. Sent between version and verack. */
export const sendaddrv2Codec: Codec<'sendaddrv2'> = emptyCodec('sendaddrv2');
/** BIP 339: the sender announces transactions by wtxid. Sent between version and verack. */
export const wtxidrelayCodec: Codec<'wtxidrelay'> = emptyCodec('wtxidrelay');
/** BIP 130: announce blocks with headers instead of inv. */
export const sendheadersCodec: Codec<'sendheaders'> = emptyCodec('sendheaders');
/** Asks for addresses; Core answers once per connection. */
export const getaddrCodec: Codec<'getaddr'> = emptyCodec('getaddr');
/** BIP 35: asks for the mempool's contents (Core disconnects unless it serves bloom filters). */
export const mempoolCodec: Codec<'mempool'> = emptyCodec('mempool');
