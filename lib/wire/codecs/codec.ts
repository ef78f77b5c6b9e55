import type { ByteReader } from '../reader.js';
import type { ByteWriter } from '../writer.js';
import type { Command, MessageOf } from '../messages.js';

/**
 * One message's payload codec, in the style of btcd's wire package: the registry finds it by
 * command. `decode` reads the payload from the reader and throws only DecodeError; whether
 * bytes may follow the message is the registry's decision (only `version` allows it).
 * `encode` throws RangeError for a message that its own `decode` would refuse, so we never
 * send what a peer would disconnect us for.
 */
export interface Codec<C extends Command> {
  readonly command: C;
  /** The largest payload this message can have; the framer refuses longer frames from the header. */
  readonly maxPayload: number;
  decode(r: ByteReader): MessageOf<C>;
  encode(m: MessageOf<C>, w: ByteWriter): void;
}

/** The widest CompactSize encoding (0xff + u64), used to bound payloads that start with a count. */
export const MAX_COMPACT_SIZE_BYTES = 9;

/** A hash on the wire: 32 bytes in internal byte order. */
export const HASH_BYTES = 32;

/** Throws RangeError when an outgoing count or length exceeds what the receiver accepts. */
export function checkOutgoing(n: number, max: number, what: string): void {
  if (n > max) throw new RangeError(`cannot encode ${what}: ${n} > ${max}`);
}

/**
 * A codec for one command of a family that shares one layout (ping/pong, inv/getdata/notfound,
 * getheaders/getblocks, the empty messages), written once over the family's fields. Each
 * concrete instance is assignable to Codec<C>: `Fields & { command: C }` is MessageOf<C>.
 */
export interface FamilyCodec<C extends Command, Fields> {
  readonly command: C;
  readonly maxPayload: number;
  decode(r: ByteReader): Fields & { readonly command: C };
  encode(m: Fields & { readonly command: C }, w: ByteWriter): void;
}
