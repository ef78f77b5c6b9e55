/**
 * A SOCKS5 client handshake (RFC 1928) with username/password authentication (RFC 1929), as a
 * pure state machine. It follows Bitcoin Core's netbase.cpp Socks5():
 * - the greeting offers NO AUTH, plus USERNAME/PASSWORD when we have credentials (Core sends them
 *   whenever -proxyrandomize is on, which is its default);
 * - the destination always goes as ATYP DOMAINNAME (Core sends CNetAddr::ToStringAddr() so), so
 *   host names and .onion names are resolved by the proxy, never by us;
 * - each reply is awaited before the next request is sent (no pipelining);
 * - a reply code other than 0 fails this connection only, with Core's Socks5ErrorString text, and
 *   Tor's extended codes 0xf0-0xf7 (Tor's ExtendedErrors, which Core names too).
 */
import { concatBytes, ProxyError, type Negotiation, type NegotiationStep } from './negotiation.js';

export const SOCKS5_VERSION = 0x05;
export const METHOD_NO_AUTH = 0x00;
export const METHOD_USER_PASS = 0x02;
export const METHOD_NONE_ACCEPTABLE = 0xff;
/** RFC 1929: the version of the username/password sub-negotiation. */
export const USER_PASS_VERSION = 0x01;
export const CMD_CONNECT = 0x01;
export const ATYP_IPV4 = 0x01;
export const ATYP_DOMAINNAME = 0x03;
export const ATYP_IPV6 = 0x04;
/** One length byte: names, user names and passwords are at most 255 bytes (Core checks the same). */
export const MAX_SOCKS5_FIELD = 255;

/** RFC 1928 §6 reply codes, with Core's wording (netbase.cpp Socks5ErrorString); Tor's extended codes after. */
export const SOCKS5_REPLIES: Readonly<Record<number, string>> = {
  0x01: 'general failure',
  0x02: 'connection not allowed',
  0x03: 'network unreachable',
  0x04: 'host unreachable',
  0x05: 'connection refused',
  0x06: 'TTL expired',
  0x07: 'protocol error',
  0x08: 'address type not supported',
  0xf0: 'onion service descriptor can not be found',
  0xf1: 'onion service descriptor is invalid',
  0xf2: 'onion service introduction failed',
  0xf3: 'onion service rendezvous failed',
  0xf4: 'onion service missing client authorization',
  0xf5: 'onion service wrong client authorization',
  0xf6: 'onion service invalid address',
  0xf7: 'onion service introduction timed out',
};

/** Reply codes that say the peer, not the proxy, is the problem. */
const PEER_FAULTS: ReadonlySet<number> = new Set([0x03, 0x04, 0x05, 0x06, 0xf0, 0xf1, 0xf2, 0xf3, 0xf6, 0xf7]);

export interface Socks5Credentials {
  readonly username: string;
  readonly password: string;
}

const ascii = (s: string, what: string): Uint8Array => {
  if (!/^[\x21-\x7e]*$/.test(s)) throw new ProxyError(`${what} must be printable ASCII`);
  const bytes = new TextEncoder().encode(s);
  if (bytes.length === 0 || bytes.length > MAX_SOCKS5_FIELD) throw new ProxyError(`${what} must be 1 to ${MAX_SOCKS5_FIELD} bytes`);
  return bytes;
};

/** VER NMETHODS METHODS: NO AUTH, and USERNAME/PASSWORD when we have credentials. */
export function socks5Greeting(withAuth: boolean): Uint8Array {
  return withAuth ? Uint8Array.of(SOCKS5_VERSION, 2, METHOD_NO_AUTH, METHOD_USER_PASS) : Uint8Array.of(SOCKS5_VERSION, 1, METHOD_NO_AUTH);
}

/** RFC 1929: VER ULEN UNAME PLEN PASSWD. */
export function socks5Auth(c: Socks5Credentials): Uint8Array {
  const u = ascii(c.username, 'the SOCKS5 user name');
  const p = ascii(c.password, 'the SOCKS5 password');
  return Uint8Array.of(USER_PASS_VERSION, u.length, ...u, p.length, ...p);
}

/** VER CMD RSV ATYP=DOMAINNAME LEN NAME PORT: CONNECT to a name the proxy resolves. */
export function socks5Connect(host: string, port: number): Uint8Array {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new ProxyError(`bad port ${port}`);
  const name = ascii(host, 'the destination host');
  return Uint8Array.of(SOCKS5_VERSION, CMD_CONNECT, 0x00, ATYP_DOMAINNAME, name.length, ...name, port >> 8, port & 0xff);
}

export function socks5ReplyText(code: number): string {
  return SOCKS5_REPLIES[code] ?? `unknown reply 0x${code.toString(16).padStart(2, '0')}`;
}

type Stage = 'method' | 'auth' | 'reply' | 'done';
const MORE = Symbol('more');

/** The client side of one SOCKS5 CONNECT. */
export class Socks5Client implements Negotiation<void> {
  private stage: Stage = 'method';
  private buf: Uint8Array = new Uint8Array(0);
  private readonly connect: Uint8Array;

  constructor(
    host: string,
    port: number,
    private readonly credentials?: Socks5Credentials,
  ) {
    // Checked now: a name that cannot be sent fails before any byte goes out.
    this.connect = socks5Connect(host, port);
    if (credentials) socks5Auth(credentials);
  }

  start(): Uint8Array {
    return socks5Greeting(this.credentials !== undefined);
  }

  receive(chunk: Uint8Array): NegotiationStep<void> {
    if (this.stage === 'done') throw new ProxyError('SOCKS5 handshake already over');
    this.buf = concatBytes(this.buf, chunk);
    // A proxy may answer more than one step in a chunk: take every whole reply there is.
    let send: Uint8Array = new Uint8Array(0);
    for (;;) {
      const step = this.step();
      if (step === MORE) return send.length > 0 ? { send } : {};
      if (step.send) send = concatBytes(send, step.send);
      if (step.done) return send.length > 0 ? { send, done: step.done } : { done: step.done };
    }
  }

  /** Consumes one whole reply, or says that more bytes are needed. */
  private step(): NegotiationStep<void> | typeof MORE {
    const b = this.buf;
    switch (this.stage) {
      case 'method': {
        if (b.length < 2) return MORE;
        if (b[0] !== SOCKS5_VERSION) throw new ProxyError(`not a SOCKS5 proxy (version byte 0x${b[0].toString(16)})`);
        this.buf = b.subarray(2);
        if (b[1] === METHOD_USER_PASS && this.credentials) {
          this.stage = 'auth';
          return { send: socks5Auth(this.credentials) };
        }
        if (b[1] === METHOD_NO_AUTH) {
          this.stage = 'reply';
          return { send: this.connect };
        }
        if (b[1] === METHOD_NONE_ACCEPTABLE) throw new ProxyError('the SOCKS5 proxy accepts none of our authentication methods', 'proxy', b[1]);
        throw new ProxyError(`the SOCKS5 proxy chose a method we did not offer (0x${b[1].toString(16)})`, 'proxy', b[1]);
      }
      case 'auth': {
        if (b.length < 2) return MORE;
        if (b[0] !== USER_PASS_VERSION) throw new ProxyError(`malformed SOCKS5 authentication reply (version 0x${b[0].toString(16)})`);
        if (b[1] !== 0x00) throw new ProxyError(`the SOCKS5 proxy refused our credentials (status 0x${b[1].toString(16)})`, 'proxy', b[1]);
        this.buf = b.subarray(2);
        this.stage = 'reply';
        return { send: this.connect };
      }
      case 'reply': {
        if (b.length < 2) return MORE;
        if (b[0] !== SOCKS5_VERSION) throw new ProxyError(`malformed SOCKS5 reply (version 0x${b[0].toString(16)})`);
        if (b[1] !== 0x00) {
          const code = b[1];
          throw new ProxyError(`SOCKS5 proxy: ${socks5ReplyText(code)} (reply 0x${code.toString(16).padStart(2, '0')})`, PEER_FAULTS.has(code) ? 'peer' : 'proxy', code);
        }
        if (b.length < 5) return MORE;
        if (b[2] !== 0x00) throw new ProxyError('malformed SOCKS5 reply (reserved byte set)');
        const size = boundAddressSize(b[3], b[4]);
        // VER REP RSV ATYP, the bound address, its port.
        const whole = 4 + size + 2;
        if (b.length < whole) return MORE;
        this.stage = 'done';
        const rest = b.slice(whole);
        this.buf = new Uint8Array(0);
        return { done: { value: undefined, rest } };
      }
      case 'done':
        return MORE;
    }
  }
}

/** The size of BND.ADDR by its type (a name carries its own length byte). */
function boundAddressSize(atyp: number, first: number): number {
  if (atyp === ATYP_IPV4) return 4;
  if (atyp === ATYP_IPV6) return 16;
  if (atyp === ATYP_DOMAINNAME) return 1 + first;
  throw new ProxyError(`malformed SOCKS5 reply (address type 0x${atyp.toString(16)})`);
}
