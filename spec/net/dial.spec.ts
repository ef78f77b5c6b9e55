/** The crawler's dial policy: Core's IsValid/IsRoutable/IsBadPort plus port 0, multicast and transports. */
import { describe, expect, it } from 'vitest';
import { DIALLABLE_NETWORKS, type DialOptions, shouldDial } from '../../lib/net/dial.js';
import { AddrNetwork } from '../../lib/wire/messages.js';
import { ipToBytes16 } from '../../lib/wire/netaddr.js';

const v4 = (ip: string, port = 8333) => ({ networkId: AddrNetwork.IPV4, addr: ipToBytes16(ip).subarray(12), port });
const v6 = (ip: string, port = 8333) => ({ networkId: AddrNetwork.IPV6, addr: ipToBytes16(ip), port });
const other = (networkId: number, size: number, port = 8333, first = 0xfc) => {
  const addr = new Uint8Array(size).fill(1);
  addr[0] = first;
  return { networkId, addr, port };
};

const PUBLIC: DialOptions = { allowLocal: false };
const LOCAL: DialOptions = { allowLocal: true };

describe('shouldDial', () => {
  it('dials public IPv4 and IPv6 peers', () => {
    expect(shouldDial(v4('8.8.8.8'), PUBLIC)).toEqual({ ok: true });
    expect(shouldDial(v6('2a01:4f8::1'), PUBLIC)).toEqual({ ok: true });
    expect(DIALLABLE_NETWORKS).toEqual([AddrNetwork.IPV4, AddrNetwork.IPV6]);
  });

  it("refuses private and loopback addresses unless allowLocal (regtest or the flag)", () => {
    for (const a of [v4('10.0.0.1'), v4('127.0.0.1'), v4('192.168.1.2'), v6('::1'), v6('fe80::1'), v6('fd00::1')]) {
      expect(shouldDial(a, PUBLIC)).toEqual({ ok: false, why: 'unroutable' });
      expect(shouldDial(a, LOCAL)).toEqual({ ok: true });
    }
  });

  it('never dials port 0, nor an invalid address, even with allowLocal', () => {
    expect(shouldDial(v4('127.0.0.1', 0), LOCAL)).toEqual({ ok: false, why: 'port-zero' });
    expect(shouldDial(v4('8.8.8.8', 0), PUBLIC)).toEqual({ ok: false, why: 'port-zero' });
    for (const a of [v4('0.0.0.0'), v4('255.255.255.255'), v6('::'), v6('2001:db8::1'), v6('::ffff:8.8.8.8')]) {
      expect(shouldDial(a, LOCAL)).toEqual({ ok: false, why: 'invalid' });
    }
  });

  it('refuses Core’s bad ports on IPv4 and IPv6, with or without allowLocal', () => {
    expect(shouldDial(v4('8.8.8.8', 25), PUBLIC)).toEqual({ ok: false, why: 'bad-port' });
    expect(shouldDial(v6('2a01:4f8::1', 22), PUBLIC)).toEqual({ ok: false, why: 'bad-port' });
    expect(shouldDial(v4('127.0.0.1', 6667), LOCAL)).toEqual({ ok: false, why: 'bad-port' });
    expect(shouldDial(v4('8.8.8.8', 24), PUBLIC)).toEqual({ ok: true });
  });

  it('refuses multicast, which Core would try', () => {
    expect(shouldDial(v4('224.0.0.1'), PUBLIC)).toEqual({ ok: false, why: 'multicast' });
    expect(shouldDial(v6('ff02::1'), LOCAL)).toEqual({ ok: false, why: 'multicast' });
  });

  it('needs a transport for the network: Tor, I2P and CJDNS are not dialled by default', () => {
    const tor = other(AddrNetwork.TORV3, 32);
    expect(shouldDial(tor, PUBLIC)).toEqual({ ok: false, why: 'no-transport' });
    expect(shouldDial(other(AddrNetwork.I2P, 32, 0), PUBLIC)).toEqual({ ok: false, why: 'no-transport' });
    expect(shouldDial(other(AddrNetwork.CJDNS, 16), PUBLIC)).toEqual({ ok: false, why: 'no-transport' });
    // Given a transport: Core applies IsBadPort to IPv4 and IPv6 only.
    const withTor: DialOptions = { allowLocal: false, networks: [...DIALLABLE_NETWORKS, AddrNetwork.TORV3] };
    expect(shouldDial({ ...tor, port: 25 }, withTor)).toEqual({ ok: true });
    expect(shouldDial(v4('10.0.0.1'), { allowLocal: false, networks: [AddrNetwork.IPV6] })).toEqual({ ok: false, why: 'no-transport' });
  });

  it('I2P peers are at port 0 and only there (SAM 3.1; Core: i2p.cpp Session::Connect)', () => {
    const withI2p: DialOptions = { allowLocal: false, networks: [AddrNetwork.I2P] };
    expect(shouldDial(other(AddrNetwork.I2P, 32, 0), withI2p)).toEqual({ ok: true });
    expect(shouldDial(other(AddrNetwork.I2P, 32, 8333), withI2p)).toEqual({ ok: false, why: 'i2p-port' });
    expect(shouldDial(other(AddrNetwork.TORV3, 32, 0), { allowLocal: false, networks: [AddrNetwork.TORV3] })).toEqual({ ok: false, why: 'port-zero' });
  });

  it('dials CJDNS (fc00::/8) once reachable, though IPv6 calls that block private', () => {
    const cjdns = { networkId: AddrNetwork.CJDNS, addr: ipToBytes16('fc32:17ea:e415:c3bf:9808:149d:b5a2:c9aa'), port: 8333 };
    expect(shouldDial(cjdns, { allowLocal: false, networks: [AddrNetwork.CJDNS] })).toEqual({ ok: true });
    expect(shouldDial({ ...cjdns, networkId: AddrNetwork.IPV6 }, { allowLocal: false, networks: [AddrNetwork.IPV6, AddrNetwork.CJDNS] })).toEqual({ ok: false, why: 'unroutable' });
  });

  it('refuses networks Core does not know, and wrong sizes', () => {
    expect(shouldDial(other(AddrNetwork.TORV2, 10), PUBLIC)).toEqual({ ok: false, why: 'unknown-network' });
    expect(shouldDial(other(AddrNetwork.YGGDRASIL, 16, 8333, 0x02), PUBLIC)).toEqual({ ok: false, why: 'unknown-network' });
    expect(shouldDial(other(99, 4), LOCAL)).toEqual({ ok: false, why: 'unknown-network' });
    expect(shouldDial(other(AddrNetwork.IPV4, 16), LOCAL)).toEqual({ ok: false, why: 'unknown-network' });
    expect(shouldDial(other(AddrNetwork.CJDNS, 16, 8333, 0xfd), { allowLocal: true, networks: [AddrNetwork.CJDNS] })).toEqual({
      ok: false,
      why: 'invalid',
    });
  });
});
