/**
 * A scripted I2P SAM 3.1 bridge on loopback: it speaks the SAM lines (HELLO, SESSION CREATE,
 * DEST GENERATE, NAMING LOOKUP, STREAM CONNECT) as i2pd and Java I2P do, keeps a session alive as
 * long as its control connection, and routes each stream to the loopback peer that stands for the
 * destination. I2P addresses are real: x.b32.i2p is base32(SHA-256(destination)), as in I2P.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { sha256 } from '@noble/hashes/sha2.js';
import { formatI2P } from '../../lib/wire/netaddr.js';
import { toI2pBase64 } from '../../lib/net/sam.js';
import { ByteReader } from './byte-reader.js';
import { loopbackServer } from './harness.js';

/** An I2P destination standing for a loopback peer. */
export interface I2pPeer {
  /** The 32-byte hash the addrv2 entry carries. */
  readonly hash: Uint8Array;
  /** Its x.b32.i2p name. */
  readonly name: string;
  /** Its destination in I2P Base64, as NAMING LOOKUP returns it. */
  readonly destination: string;
  readonly to: { readonly host: string; readonly port: number };
}

/** A destination of Core's size (387 bytes, no certificate payload) for a peer. */
export function i2pPeer(to: { host: string; port: number }): I2pPeer {
  const dest = randomBytes(387);
  const hash = sha256(dest);
  return { hash, name: formatI2P(hash), destination: toI2pBase64(dest), to };
}

export interface SamScript {
  readonly peers: readonly I2pPeer[];
  /** A RESULT to answer STREAM CONNECT with instead of connecting (per destination name). */
  readonly connectResult?: (name: string) => string | undefined;
}

export interface ScriptedSam {
  readonly port: number;
  readonly address: string;
  /** Every line each client connection sent, in order, one array per connection. */
  readonly conversations: string[][];
  /** Ids of the sessions alive now. */
  readonly sessions: Set<string>;
  /** Ends every session (closes their control connections' far end). */
  dropSessions(): void;
  routed(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function scriptedSam(script: SamScript): Promise<ScriptedSam> {
  const conversations: string[][] = [];
  const sessions = new Set<string>();
  const controls = new Map<string, Socket>();
  const sockets = new Set<Socket>();
  const byDest = new Map(script.peers.map((p) => [p.destination, p]));
  const byName = new Map(script.peers.map((p) => [p.name, p]));
  let routedCount = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const serve = async (client: Socket): Promise<void> => {
    const r = new ByteReader(client);
    const lines: string[] = [];
    conversations.push(lines);
    const say = (s: string): void => void client.write(`${s}\n`);
    const next = async (): Promise<string> => {
      const l = await r.line();
      lines.push(l);
      return l;
    };
    const hello = await next();
    if (!/^HELLO VERSION MIN=3\.1 MAX=3\.1$/.test(hello)) return void client.end('HELLO REPLY RESULT=NOVERSION\n');
    say('HELLO REPLY RESULT=OK VERSION=3.1');
    for (;;) {
      const line = await next();
      const words = line.split(' ');
      const kv = new Map(words.slice(2).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
      const cmd = words.slice(0, 2).join(' ');
      if (cmd === 'DEST GENERATE') {
        say(`DEST REPLY PUB=${toI2pBase64(randomBytes(387))} PRIV=${toI2pBase64(randomBytes(663))}`);
      } else if (cmd === 'SESSION CREATE') {
        const id = kv.get('ID') ?? '';
        if (sessions.has(id)) return say('SESSION STATUS RESULT=DUPLICATED_ID');
        sessions.add(id);
        controls.set(id, client);
        client.on('close', () => {
          sessions.delete(id);
          controls.delete(id);
        });
        const dest = kv.get('DESTINATION') === 'TRANSIENT' ? toI2pBase64(randomBytes(663)) : (kv.get('DESTINATION') ?? '');
        say(`SESSION STATUS RESULT=OK DESTINATION=${dest}`);
      } else if (cmd === 'NAMING LOOKUP') {
        const name = kv.get('NAME') ?? '';
        const p = byName.get(name);
        say(p ? `NAMING REPLY RESULT=OK NAME=${name} VALUE=${p.destination}` : `NAMING REPLY RESULT=KEY_NOT_FOUND NAME=${name}`);
      } else if (cmd === 'STREAM CONNECT') {
        if (!sessions.has(kv.get('ID') ?? '')) return say('STREAM STATUS RESULT=INVALID_ID');
        const p = byDest.get(kv.get('DESTINATION') ?? '');
        if (!p) return say('STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE="unknown destination"');
        const forced = script.connectResult?.(p.name);
        if (forced) return say(`STREAM STATUS RESULT=${forced}`);
        const upstream = connect(p.to);
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.once('connect', () => {
          say('STREAM STATUS RESULT=OK');
          const rest = r.release();
          if (rest.length > 0) upstream.write(rest);
          client.pipe(upstream);
          upstream.pipe(client);
          routedCount++;
          for (const w of waiters.filter((x) => x.n <= routedCount)) w.resolve();
        });
        return;
      } else {
        return say(`${words.slice(0, 2).join(' ')} RESULT=I2P_ERROR MESSAGE="unknown command"`);
      }
    }
  };
  const server = await loopbackServer(serve, sockets);
  return {
    port: server.port,
    address: server.address,
    conversations,
    sessions,
    dropSessions: () => {
      for (const s of controls.values()) s.destroy();
    },
    routed: (n) => (routedCount >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => server.close(),
  };
}
