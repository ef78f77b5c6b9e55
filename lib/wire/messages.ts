/**
 * The typed messages of the P2P protocol: one variant per command. Codecs live in
 * lib/wire/codecs/, one file per message, registered by command in lib/wire/registry.ts.
 */
import type { Block, BlockHeader, DecodedTx } from './model.js';

/** Inventory types (protocol.h GetDataMsg). */
export const InvType = {
  ERROR: 0,
  TX: 1,
  BLOCK: 2,
  FILTERED_BLOCK: 3,
  CMPCT_BLOCK: 4,
  WTX: 5,
  WITNESS_TX: 0x40000001,
  WITNESS_BLOCK: 0x40000002,
  WITNESS_FILTERED_BLOCK: 0x40000003,
} as const;
/** MSG_WITNESS_FLAG: set on a tx or block type to ask for witness data. */
export const WITNESS_FLAG = 0x40000000;

export interface InvItem {
  /** u32; one of InvType, though unknown values are carried through. */
  readonly type: number;
  readonly hash: Uint8Array;
  /**
   * hashKey(hash), made once by the first room that needs it (invKey in lib/wire/hex.ts) and
   * shared by the others: the propagation watch and the inventory look up every announced item.
   */
  key?: string;
}

/** The 26-byte address of `version` and legacy `addr`: services, IPv6 (IPv4-mapped), port. */
export interface NetAddr {
  readonly services: bigint;
  /** 16 bytes; IPv4 as ::ffff:a.b.c.d. */
  readonly ip: Uint8Array;
  readonly port: number;
}

export interface TimedNetAddr extends NetAddr {
  /** u32 seconds since the epoch. */
  readonly time: number;
}

/** BIP 155 network ids. */
export const AddrNetwork = { IPV4: 1, IPV6: 2, TORV2: 3, TORV3: 4, I2P: 5, CJDNS: 6, YGGDRASIL: 7 } as const;

export interface AddrV2Entry {
  readonly time: number;
  readonly services: bigint;
  /** BIP 155 network id; unknown ids are kept (BIP 155: ignore, do not reject). */
  readonly networkId: number;
  readonly addr: Uint8Array;
  readonly port: number;
}

export interface VersionMessage {
  readonly command: 'version';
  readonly version: number;
  readonly services: bigint;
  readonly timestamp: bigint;
  readonly addrRecv: NetAddr;
  readonly addrFrom: NetAddr;
  readonly nonce: bigint;
  readonly userAgent: string;
  readonly startHeight: number;
  /** BIP 37 relay flag; absent on the wire means true. */
  readonly relay: boolean;
}

export type EmptyCommand = 'verack' | 'sendaddrv2' | 'wtxidrelay' | 'sendheaders' | 'getaddr' | 'mempool';
export type InvCommand = 'inv' | 'getdata' | 'notfound';

export type Message =
  | VersionMessage
  | { readonly command: EmptyCommand }
  | { readonly command: 'ping' | 'pong'; readonly nonce: bigint }
  | { readonly command: InvCommand; readonly items: readonly InvItem[] }
  | { readonly command: 'tx'; readonly tx: DecodedTx }
  | { readonly command: 'block'; readonly block: Block }
  | { readonly command: 'headers'; readonly headers: readonly BlockHeader[] }
  | {
      readonly command: 'getheaders' | 'getblocks';
      readonly version: number;
      readonly locator: readonly Uint8Array[];
      readonly stop: Uint8Array;
    }
  | { readonly command: 'addr'; readonly addrs: readonly TimedNetAddr[] }
  | { readonly command: 'addrv2'; readonly addrs: readonly AddrV2Entry[] }
  | { readonly command: 'feefilter'; readonly feerate: bigint }
  | { readonly command: 'sendcmpct'; readonly announce: boolean; readonly version: bigint }
  /** Any command without a codec: passed through as its raw payload. */
  | { readonly command: 'unknown'; readonly name: string; readonly payload: Uint8Array };

export type Command = Message['command'];
/**
 * The message variant for one command. Not `Extract<Message, { command: C }>`: several variants
 * share one shape for a union of commands (ping | pong, the inv family, the empty messages), and
 * Extract would yield `never` for them. This narrows each variant whose command union contains C
 * to that one command instead.
 */
export type MessageOf<C extends Command> = NarrowByCommand<Message, C>;
type NarrowByCommand<M, C> = M extends { readonly command: infer K }
  ? C extends K
    ? M & { readonly command: C }
    : never
  : never;

/** One frame off the wire: command name and payload, its checksum verified or left to decodeMessage. */
export interface Frame {
  readonly command: string;
  readonly payload: Uint8Array;
  /** Present when the framer left the checksum to decodeMessage to verify (see Framer). */
  readonly checksum?: number;
  /** Bytes it took on the wire, when not a v1 header and the payload (BIP 324: the encrypted packet). */
  readonly wireBytes?: number;
}
