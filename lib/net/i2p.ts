/**
 * Outbound I2P through a SAM 3.1 bridge, as Bitcoin Core's i2p::sam::Session does: one STREAM
 * session per process, created on first use over a control connection that must stay open
 * (CreateIfNotCreatedAlready), then one fresh bridge connection per peer (Connect). The session
 * is made again when its control connection closes or the bridge says INVALID_ID (Core's
 * CheckControlSock and Disconnect). Keys are transient unless a key file is given: then the key
 * in it is used, or one is generated (DEST GENERATE) and saved there, as Core does with
 * <datadir>/i2p_private_key.
 */
import { formatHostPort } from '../wire/netaddr.js';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { catchError, defer, firstValueFrom, from, switchMap, throwError, type Observable } from 'rxjs';
import { DialError } from './errors.js';
import { openWith, withDeadline, type Opener, type OpenedStream } from './open.js';
import { I2P_SAM31_PORT, SamSessionCreate, SamStreamConnect, type SamSessionInfo } from './sam.js';
import type { HostPort } from './reach.js';

export interface I2pOptions {
  /** The SAM bridge (i2pd or Java I2P), usually 127.0.0.1:7656. */
  readonly sam: HostPort;
  /** Our persistent private key; transient keys when absent. */
  readonly keyFile?: string;
  /** How long creating the session may take (the bridge builds tunnels first). */
  readonly sessionTimeoutMs: number;
  /** Told when a session is up (for a log line). */
  readonly onSession?: (id: string, transient: boolean) => void;
}

/** Core: GetRandHash().GetHex().substr(0, 10): ten hex digits, enough to tell sessions apart. */
const newSessionId = (): string => randomBytes(5).toString('hex');

export class I2pSession {
  private current: Promise<string> | undefined;
  private control: Socket | undefined;
  private closed = false;
  private readonly what: string;

  constructor(private readonly opts: I2pOptions) {
    const { host, port } = opts.sam;
    this.what = `I2P SAM bridge ${formatHostPort(host, port)}`;
  }

  /** An opener for x.b32.i2p:0 addresses, each dial bounded by `timeoutMs` (the session's creation apart). */
  opener(timeoutMs: number): Opener {
    return (host, port) => {
      // Session::Connect: SAM 3.1 has no ports; the bridge would use 0 whatever we asked.
      if (port !== I2P_SAM31_PORT) return throwError(() => new DialError('connect-failed', `I2P peers have no ports under SAM 3.1: refusing port ${port}`));
      return defer(() => from(this.sessionId())).pipe(
        switchMap((id): Observable<OpenedStream> => withDeadline(openWith(this.opts.sam, this.what, () => new SamStreamConnect(id, host)), timeoutMs, this.what)),
        catchError((err: unknown) => {
          if (err instanceof DialError && err.code === 'INVALID_ID') this.reset();
          return throwError(() => err);
        }),
      );
    };
  }

  /** Ends the session (its control connection). */
  close(): void {
    this.closed = true;
    this.reset();
  }

  private reset(): void {
    this.current = undefined;
    this.control?.destroy();
    this.control = undefined;
  }

  private sessionId(): Promise<string> {
    if (this.closed) return Promise.reject(new DialError('proxy-failed', `${this.what}: closed`));
    if (!this.current) {
      const made = this.create().catch((err: unknown) => {
        throw err instanceof DialError ? err : new DialError('proxy-failed', `${this.what}: ${err instanceof Error ? err.message : String(err)}`);
      });
      this.current = made;
      // A failed creation is forgotten, so that the next dial tries again.
      made.catch(() => {
        if (this.current === made) this.current = undefined;
      });
    }
    return this.current;
  }

  private async create(): Promise<string> {
    const key = await this.readKey();
    let info: SamSessionInfo | undefined;
    const opened = await firstValueFrom(
      withDeadline(
        openWith(this.opts.sam, this.what, () => new SamSessionCreate(newSessionId(), key), (v) => (info = v)),
        this.opts.sessionTimeoutMs,
        this.what,
      ),
    );
    const control = opened.socket;
    if (!info) throw new DialError('proxy-failed', `${this.what}: no session`);
    if (this.closed) {
      control.destroy();
      throw new DialError('proxy-failed', `${this.what}: closed`);
    }
    if (info.generated && this.opts.keyFile) await writeFile(this.opts.keyFile, info.privateKey, { mode: 0o600 });
    const id = info.id;
    this.control = control;
    // The session lives as long as its control connection (Core: CheckControlSock).
    const gone = (): void => {
      if (this.control === control) this.reset();
    };
    control.on('error', gone);
    control.on('close', gone);
    // Whatever the bridge says on the control connection later is of no use to an outbound-only client.
    control.resume();
    this.opts.onSession?.(id, key === null);
    return id;
  }

  private async readKey(): Promise<Uint8Array | null | 'generate'> {
    if (!this.opts.keyFile) return null;
    try {
      return new Uint8Array(await readFile(this.opts.keyFile));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'generate';
      throw new DialError('proxy-failed', `cannot read the I2P key file ${this.opts.keyFile}: ${(err as Error).message}`);
    }
  }
}
