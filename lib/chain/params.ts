/**
 * Each network's header rules (consensus.* in src/kernel/chainparams.cpp) and the header the
 * tree starts from. An anchor is a real block at a retarget boundary (height a multiple of 2016),
 * so the first retarget after it has its period's first header, as Core anchors headers presync
 * at a known point (nMinimumChainWork). Its 80 bytes are compiled in: the hash is computed from
 * them and the header's own proof of work vouches for it (spec/chain/params.spec.ts checks both).
 */
import { POW_LIMITS } from '../tx/pow.js';
import { fromHex } from '../wire/hex.js';
import type { NetworkName } from '../wire/network.js';

export interface Anchor {
  readonly height: number;
  /** The 80-byte serialized header, hex. */
  readonly header: string;
  /** Total work of the chain up to and including this block (Core's nChainWork). */
  readonly chainwork: bigint;
}

export interface ChainParams {
  readonly powLimit: bigint;
  /** consensus.nPowTargetTimespan: two weeks, in seconds. */
  readonly targetTimespan: number;
  /** consensus.nPowTargetSpacing: ten minutes. */
  readonly targetSpacing: number;
  /** DifficultyAdjustmentInterval() = nPowTargetTimespan / nPowTargetSpacing = 2016. */
  readonly retargetInterval: number;
  /** consensus.fPowAllowMinDifficultyBlocks: testnet's 20-minute rule. */
  readonly allowMinDifficultyBlocks: boolean;
  /** consensus.fPowNoRetargeting: regtest. */
  readonly noRetargeting: boolean;
  /** consensus.enforce_BIP94: testnet4's retarget from the period's first block and its timewarp rule. */
  readonly enforceBip94: boolean;
  readonly anchor: Anchor;
}

const TWO_WEEKS = 14 * 24 * 60 * 60;
const TEN_MINUTES = 10 * 60;
const common = { targetTimespan: TWO_WEEKS, targetSpacing: TEN_MINUTES, retargetInterval: TWO_WEEKS / TEN_MINUTES };

/**
 * The anchors. mainnet 822,528 (000000000000000000001daacd23f9cb40c69ba923085618a5f9dbdd4d97e93a),
 * testnet3 2,568,384 (000000000000005c71b09ca1e576a87a65c0ce9ae5ffb1e490d9689037cfee09) and signet
 * 175,392 (000000dfc3bdbc9c5feff26524c26cc542e47a0ff13f5944ccc5a3292a746b70), all December 2023,
 * with their chain work: the last entries of bitcoinj's checkpoint files
 * (core/src/main/resources/org.bitcoin.{production,test,signet}.checkpoints.txt, which hold a
 * header at every 2016th height; the mainnet one plus 1,472 blocks of its period's work is exactly
 * Core v27's nMinimumChainWork at 824,000, spec/chain/tree.spec.ts). testnet4 and regtest: their genesis blocks, as
 * chainparams.cpp's CreateGenesisBlock builds them (testnet4 00000000da84f2ba…f043, regtest
 * 0f9188f13cb7b2c7…2206); a genesis block's chain work is its own proof.
 */
export const ANCHORS: Readonly<Record<NetworkName, Anchor>> = {
  mainnet: {
    height: 822_528,
    header:
      '00e0ff3f82f7aacf60fac3873b0beade61d0701639090ae5f47800000000000000000000acbc1b3381c671b2b7753bb2252d3ebd6900486ec8153ceb10e954a86e3f9e1468788665b3e80317f5171649',
    chainwork: 0x624c5a3c876e3e6fffd9c800n,
  },
  testnet: {
    height: 2_568_384,
    header:
      '00e0e12f6198445b53da41b81bb50a84f91396c7195c4dad576995e43f00000000000000ca95c529f3448216577599d84dc15e557b5bd5dca80237cb2500b3e4b2203ca9bd6a8d65ffff001ab4049dfa',
    chainwork: 0xc5c52502e3daeb36309n,
  },
  testnet4: {
    height: 0,
    header:
      '0100000000000000000000000000000000000000000000000000000000000000000000004e7b2b9128fe0291db0693af2ae418b767e657cd407e80cb1434221eaea7a07a046f3566ffff001dbb0c7817',
    chainwork: 0x100010001n,
  },
  signet: {
    height: 175_392,
    header:
      '0000002069b9d8323049df3e69f9d4ce11825f41aa82b553100ec9b74503f763a1000000b85ae6ab035e60d83281337f9bfdf048366862e62385620b0087df8afa74e2d7c1e68a652a4e011e17467103',
    chainwork: 0x1f90880a5a6n,
  },
  regtest: {
    height: 0,
    header:
      '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000',
    chainwork: 2n,
  },
};

export const CHAIN_PARAMS: Readonly<Record<NetworkName, ChainParams>> = {
  mainnet: { ...common, powLimit: POW_LIMITS.mainnet, allowMinDifficultyBlocks: false, noRetargeting: false, enforceBip94: false, anchor: ANCHORS.mainnet },
  testnet: { ...common, powLimit: POW_LIMITS.testnet, allowMinDifficultyBlocks: true, noRetargeting: false, enforceBip94: false, anchor: ANCHORS.testnet },
  testnet4: { ...common, powLimit: POW_LIMITS.testnet4, allowMinDifficultyBlocks: true, noRetargeting: false, enforceBip94: true, anchor: ANCHORS.testnet4 },
  signet: { ...common, powLimit: POW_LIMITS.signet, allowMinDifficultyBlocks: false, noRetargeting: false, enforceBip94: false, anchor: ANCHORS.signet },
  regtest: { ...common, powLimit: POW_LIMITS.regtest, allowMinDifficultyBlocks: true, noRetargeting: true, enforceBip94: false, anchor: ANCHORS.regtest },
};

/** The anchor's header bytes. */
export function anchorBytes(anchor: Anchor): Uint8Array {
  return fromHex(anchor.header);
}
