/**
 * A scripted SOCKS5 proxy on loopback that speaks RFC 1928 and RFC 1929 byte for byte, records
 * every byte its clients send, and routes each CONNECT by name to a loopback peer (a scripted
 * Bitcoin peer standing in for an onion service or a clearnet node), or answers with a reply code.
 */
import { connect, type Socket } from 'node:net';
import { ByteReader } from './byte-reader.js';
import { loopbackServer } from './harness.js';

export interface Socks5Exchange {
  /** The greeting: VER NMETHODS METHODS. */
  readonly greeting: Buffer;
  /** RFC 1929 credentials, when the client authenticated. */
  auth?: { readonly raw: Buffer; readonly username: string; readonly password: string };
  /** The CONNECT request as sent, and its parts. */
  connect?: { readonly raw: Buffer; readonly atyp: number; readonly host: string; readonly port: number };
}

export interface Socks5Script {
  /** Where a name goes: a loopback host:port, or a SOCKS5 reply code to refuse with. */
  readonly route: (host: string, port: number) => { host: string; port: number } | number;
  /** Which method to pick (default: USERNAME/PASSWORD when offered, else NO AUTH). */
  readonly method?: (offered: readonly number[]) => number;
  /** The RFC 1929 status to answer credentials with (default 0, success). */
  readonly authStatus?: number;
  /** Accept the connection and never answer anything. */
  readonly stall?: boolean;
}

export interface ScriptedProxy {
  readonly host: string;
  readonly port: number;
  readonly address: string;
  readonly exchanges: Socks5Exchange[];
  /** Resolves once `n` CONNECTs have been routed to a peer. */
  routed(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function scriptedSocks5(script: Socks5Script): Promise<ScriptedProxy> {
  const exchanges: Socks5Exchange[] = [];
  const sockets = new Set<Socket>();
  let routedCount = 0;
  const routedWaiters: Array<{ n: number; resolve: () => void }> = [];
  const onRouted = (): void => {
    routedCount++;
    for (const w of routedWaiters.filter((x) => x.n <= routedCount)) w.resolve();
  };
  const serve = async (client: Socket): Promise<void> => {
    const r = new ByteReader(client);
    if (script.stall) return;
    const head = await r.bytes(2);
    const methods = await r.bytes(head[1]);
    const ex: Socks5Exchange = { greeting: Buffer.concat([head, methods]) };
    exchanges.push(ex);
    const offered = [...methods];
    const method = script.method ? script.method(offered) : offered.includes(2) ? 2 : offered.includes(0) ? 0 : 0xff;
    client.write(Buffer.of(5, method));
    if (method === 0xff) return void client.end();
    if (method === 2) {
      const [ver, ulen] = await r.bytes(2);
      const user = await r.bytes(ulen);
      const [plen] = await r.bytes(1);
      const pass = await r.bytes(plen);
      ex.auth = { raw: Buffer.concat([Buffer.of(ver, ulen), user, Buffer.of(plen), pass]), username: user.toString('latin1'), password: pass.toString('latin1') };
      const status = script.authStatus ?? 0;
      client.write(Buffer.of(1, status));
      if (status !== 0) return void client.end();
    }
    const req = await r.bytes(4);
    let addr: Buffer;
    let host: string;
    if (req[3] === 3) {
      const [len] = await r.bytes(1);
      const name = await r.bytes(len);
      addr = Buffer.concat([Buffer.of(len), name]);
      host = name.toString('latin1');
    } else if (req[3] === 1) {
      addr = await r.bytes(4);
      host = [...addr].join('.');
    } else {
      addr = await r.bytes(16);
      host = addr.toString('hex');
    }
    const portBytes = await r.bytes(2);
    const port = portBytes.readUInt16BE(0);
    ex.connect = { raw: Buffer.concat([req, addr, portBytes]), atyp: req[3], host, port };
    const to = script.route(host, port);
    if (typeof to === 'number') {
      client.end(Buffer.of(5, to, 0, 1, 0, 0, 0, 0, 0, 0));
      return;
    }
    const upstream = connect({ host: to.host, port: to.port });
    sockets.add(upstream);
    let connected = false;
    // As a real proxy does: a failed CONNECT is a reply code (RFC 1928 §6), then the close.
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) client.end(Buffer.of(5, err.code === 'ECONNREFUSED' ? 0x05 : 0x04, 0, 1, 0, 0, 0, 0, 0, 0));
      else client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      client.write(Buffer.of(5, 0, 0, 1, 127, 0, 0, 1, (upstream.localPort ?? 0) >> 8, (upstream.localPort ?? 0) & 0xff));
      const rest = r.release();
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
      onRouted();
    });
    upstream.on('close', () => {
      if (connected) client.destroy();
    });
    client.on('close', () => upstream.destroy());
  };
  const server = await loopbackServer(serve, sockets);
  return {
    host: '127.0.0.1',
    port: server.port,
    address: server.address,
    exchanges,
    routed: (n) => (routedCount >= n ? Promise.resolve() : new Promise((resolve) => routedWaiters.push({ n, resolve }))),
    close: () => server.close(),
  };
}
