/** What every node harness (bcoin, Bitcoin Core, btcd) needs: free ports, polling, a port probe. */
import { connect, createServer, type Socket } from 'node:net';

/** How often `until` asks again. */
const POLL_MS = 100;

/** A port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a value (errors count as "not yet"), within `deadlineMs`. */
export async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`${what} did not happen within ${deadlineMs / 1000} s${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** True once something accepts connections on 127.0.0.1:`port` (undefined: not yet, for `until`). */
export function portOpen(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(undefined));
  });
}

/** Fresh ports are tried this many times when another process took ours before the node bound it. */
export const START_ATTEMPTS = 3;

/**
 * Runs `launch` on two fresh ports, again on new ones (up to START_ATTEMPTS) when its error says
 * a port was taken meanwhile (`portClash`); any other failure, or the last, runs `giveUp` and throws.
 */
export async function launchOnFreePorts(
  launch: (p2pPort: number, rpcPort: number) => Promise<void>,
  portClash: RegExp,
  giveUp: () => void,
): Promise<{ p2pPort: number; rpcPort: number }> {
  for (let attempt = 1; ; attempt++) {
    const p2pPort = await freePort();
    const rpcPort = await freePort();
    try {
      await launch(p2pPort, rpcPort);
      return { p2pPort, rpcPort };
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !portClash.test(String(err))) {
        giveUp();
        throw err;
      }
    }
  }
}

/** A TCP server on 127.0.0.1 at a free port, for the scripted proxies and bridges. */
export interface LoopbackServer {
  readonly port: number;
  /** 127.0.0.1:port. */
  readonly address: string;
  /** Destroys every socket in `sockets`, then closes the server. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (a free port) and hands each connection to `serve` (a failure destroys that
 * connection). Every accepted socket joins `sockets`, where the caller adds its own (upstream
 * connections), so that close() ends them all.
 */
export async function loopbackServer(serve: (client: Socket) => Promise<void>, sockets: Set<Socket> = new Set()): Promise<LoopbackServer> {
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    serve(client).catch(() => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
