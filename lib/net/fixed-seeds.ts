/**
 * Fixed seeds: addresses to try when every DNS seed fails, as Core falls back to the nodes
 * compiled into it (src/chainparamsseeds.h, used by CConnman::ThreadOpenConnections when addrman
 * is still empty a minute after start). Ours are few: the first 16 IPv4 entries of Core's
 * `chainparams_seed_main` (BIP 155 tuples: network 1, 4 bytes, big-endian port) at bitcoin/bitcoin
 * commit 7dc5712eaecc8ecf755e184c3bcb6318ccae451f. They are only a way in: once one answers
 * getaddr, discovery takes over. Other networks ship none here.
 */
import type { NetworkName } from '../wire/network.js';

export const FIXED_SEEDS: Readonly<Record<NetworkName, readonly string[]>> = {
  mainnet: [
    '2.39.173.126:8333',
    '3.14.168.201:48333',
    '4.36.112.44:8333',
    '5.8.18.31:8333',
    '5.14.200.167:8333',
    '5.56.20.2:8333',
    '5.102.146.99:8333',
    '5.103.137.146:9333',
    '5.128.87.126:8333',
    '5.133.65.82:8333',
    '5.187.55.242:8333',
    '5.188.62.24:8333',
    '5.188.62.33:8333',
    '5.199.133.193:8333',
    '8.38.89.152:8333',
    '13.231.20.249:8333',
  ],
  testnet: [],
  testnet4: [],
  signet: [],
  regtest: [],
};
