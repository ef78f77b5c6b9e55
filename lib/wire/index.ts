/** lib/wire: bytes ⇄ messages. */
export * from './errors.js';
export * from './limits.js';
export * from './reader.js';
export * from './writer.js';
export * from './hash.js';
export * from './hex.js';
export * from './network.js';
export * from './model.js';
export * from './transaction.js';
export * from './block.js';
export * from './messages.js';
export * from './header.js';
export * from './framer.js';
export * from './netaddr.js';
export * from './registry.js';
export type { Codec, FamilyCodec } from './codecs/codec.js';
