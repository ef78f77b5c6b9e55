import type { Readable, Writable } from 'node:stream';

/** The process's streams and environment, passed down so commands can run in tests too. */
export interface Io {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
}
