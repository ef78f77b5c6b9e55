/**
 * Network parameters, as in Bitcoin Core's src/kernel/chainparams.cpp.
 * `magic` is the 4 message-start bytes read as a little-endian u32.
 */
export interface NetworkParams {
  readonly name: NetworkName;
  readonly magic: number;
  readonly defaultPort: number;
  readonly dnsSeeds: readonly string[];
  readonly bech32Hrp: string;
  readonly p2pkhPrefix: number;
  readonly p2shPrefix: number;
}

export const NETWORK_NAMES = ['mainnet', 'testnet', 'testnet4', 'signet', 'regtest'] as const;
export type NetworkName = (typeof NETWORK_NAMES)[number];

export const NETWORKS: Readonly<Record<NetworkName, NetworkParams>> = {
  mainnet: {
    name: 'mainnet',
    magic: 0xd9b4bef9, // f9 be b4 d9
    defaultPort: 8333,
    dnsSeeds: [
      'seed.bitcoin.sipa.be',
      'dnsseed.bluematt.me',
      'dnsseed.bitcoin.dashjr-list-of-p2p-nodes.us',
      'seed.bitcoinstats.com',
      'seed.bitcoin.jonasschnelli.ch',
      'seed.btc.petertodd.net',
      'seed.bitcoin.sprovoost.nl',
      'dnsseed.emzy.de',
      'seed.bitcoin.wiz.biz',
      'seed.mainnet.achownodes.xyz',
    ],
    bech32Hrp: 'bc',
    p2pkhPrefix: 0x00,
    p2shPrefix: 0x05,
  },
  testnet: {
    name: 'testnet',
    magic: 0x0709110b, // 0b 11 09 07
    defaultPort: 18333,
    dnsSeeds: [
      'testnet-seed.bitcoin.jonasschnelli.ch',
      'seed.tbtc.petertodd.net',
      'seed.testnet.bitcoin.sprovoost.nl',
      'testnet-seed.bluematt.me',
      'seed.testnet.achownodes.xyz',
    ],
    bech32Hrp: 'tb',
    p2pkhPrefix: 0x6f,
    p2shPrefix: 0xc4,
  },
  testnet4: {
    name: 'testnet4',
    magic: 0x283f161c, // 1c 16 3f 28
    defaultPort: 48333,
    dnsSeeds: ['seed.testnet4.bitcoin.sprovoost.nl', 'seed.testnet4.wiz.biz'],
    bech32Hrp: 'tb',
    p2pkhPrefix: 0x6f,
    p2shPrefix: 0xc4,
  },
  signet: {
    name: 'signet',
    magic: 0x40cf030a, // 0a 03 cf 40 (the default signet challenge)
    defaultPort: 38333,
    dnsSeeds: ['seed.signet.bitcoin.sprovoost.nl', 'seed.signet.achownodes.xyz'],
    bech32Hrp: 'tb',
    p2pkhPrefix: 0x6f,
    p2shPrefix: 0xc4,
  },
  regtest: {
    name: 'regtest',
    magic: 0xdab5bffa, // fa bf b5 da
    defaultPort: 18444,
    dnsSeeds: [],
    bech32Hrp: 'bcrt',
    p2pkhPrefix: 0x6f,
    p2shPrefix: 0xc4,
  },
};

/** The network whose message start `magic` is, if any (to tell a user which --network a node speaks). */
export function networkOfMagic(magic: number): NetworkName | undefined {
  return NETWORK_NAMES.find((n) => NETWORKS[n].magic === magic >>> 0);
}

export function isNetworkName(s: string): s is NetworkName {
  return (NETWORK_NAMES as readonly string[]).includes(s);
}
