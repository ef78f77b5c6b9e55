import { describe, expect, it } from 'vitest';
import { EndpointError, formatEndpoint, hostProblem, parseEndpoint, parseEndpoints } from '../../lib/net/endpoint.js';

describe('peer targets', () => {
  it.each([
    ['127.0.0.1:18444', { host: '127.0.0.1', port: 18444 }],
    ['127.0.0.1', { host: '127.0.0.1', port: 8333 }],
    ['[2001:db8::1]:8333', { host: '2001:db8::1', port: 8333 }],
    ['[::1]', { host: '::1', port: 8333 }],
    ['::1', { host: '::1', port: 8333 }],
    ['seed.bitcoin.sipa.be:8333', { host: 'seed.bitcoin.sipa.be', port: 8333 }],
    ['localhost', { host: 'localhost', port: 8333 }],
    [' 10.0.0.5:1 ', { host: '10.0.0.5', port: 1 }],
    ['bitcoin_node:18444', { host: 'bitcoin_node', port: 18444 }],
    ['_svc.node-1.local', { host: '_svc.node-1.local', port: 8333 }],
    ['node1.example.', { host: 'node1.example.', port: 8333 }],
  ])('parses %s', (text, expected) => {
    expect(parseEndpoint(text, 8333)).toEqual(expected);
  });

  it.each(['', '1.2.3.4:0', '1.2.3.4:65536', '1.2.3.4:x', '[1.2.3.4]:8', '[::1', '[::1]8333', 'a b:1', '2001:db8::1:8333:x', 'host:', '-bad-:1'])(
    'refuses %j with a EndpointError',
    (text) => {
      expect(() => parseEndpoint(text, 8333)).toThrow(EndpointError);
    },
  );

  it('formats IPv6 in brackets and drops duplicates from a list', () => {
    expect(formatEndpoint({ host: '::1', port: 1 })).toBe('[::1]:1');
    expect(parseEndpoints('127.0.0.1:1,127.0.0.1:1,,[::1]:2', 8333).map(formatEndpoint)).toEqual(['127.0.0.1:1', '[::1]:2']);
    expect(() => parseEndpoints(' , ', 8333)).toThrow(EndpointError);
  });

  it.each(['1.2.3:8333', '127.1', '2130706433', '0x7f.1', '010.0.0.1', '1.2.3.4.5', '256.0.0.1'])('refuses IPv4 shorthand %j with the reason', (text) => {
    expect(() => parseEndpoint(text, 8333)).toThrow(/bad host in peer ".*": an IPv4 address is four numbers from 0 to 255, a\.b\.c\.d/);
  });

  it('says what is wrong with a host name', () => {
    expect(hostProblem('bitcoin_node')).toBeUndefined();
    expect(hostProblem('a b')).toBe('" " is not allowed in a host name (letters, digits, "-", "_" and "." are)');
    expect(hostProblem('-bad-')).toMatch(/none starting or ending with "-"/);
    expect(hostProblem(`${'a'.repeat(64)}.com`)).toMatch(/labels of 1-63 characters/);
    expect(hostProblem('a..b')).toMatch(/labels of 1-63 characters/);
  });
});
