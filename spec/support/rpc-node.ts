/**
 * What the real-node harnesses (Bitcoin Core, btcd) share: JSON-RPC 1.0 over HTTP with basic auth
 * (both speak it), and a node's process for the length of a test: started and awaited ready, its
 * output's tail kept for the error, killed if the test process exits, stopped by RPC.
 */
import type { ChildProcess } from 'node:child_process';

/** How long a node may take to answer RPC after its start (Core: a second or two). */
export const START_DEADLINE_MS = 60_000;
/** How long `stop` may take before the process is killed. */
export const STOP_DEADLINE_MS = 30_000;
/** The tail of a node's output kept for the error when it exits during its start. */
const OUTPUT_TAIL_CHARS = 4_000;
export const RPC_USER = 'u';
export const RPC_PASSWORD = 'p';

export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`rpc ${method}: ${message} (${code})`);
  }
}

export type RpcParams = readonly unknown[] | Readonly<Record<string, unknown>>;
export type Rpc = <T>(method: string, params?: RpcParams) => Promise<T>;

/** A JSON-RPC 1.0 client (Core and btcd both speak it) with basic auth. */
export function jsonRpc(url: string, user: string, password: string): Rpc {
  const authorization = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  let id = 0;
  return async <T>(method: string, params: RpcParams = []): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '1.0', id: ++id, method, params }),
    });
    const text = await res.text();
    let body: { result: T; error: { code: number; message: string } | null };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`rpc ${method}: HTTP ${res.status} ${text.slice(0, 200)}`);
    }
    if (body.error) throw new RpcError(method, body.error.code, body.error.message);
    return body.result;
  };
}

/** Waits for a child process to exit, killing it after `ms`. */
async function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await gone;
  clearTimeout(timer);
}

/** A started process that has not exited within its start: rejects with its stderr if it does. */
function exitAsError(child: ChildProcess, name: string, stderr: () => string): Promise<never> {
  const p = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) during start: ${stderr().trim().slice(-500)}`))),
  );
  p.catch(() => {});
  return p;
}

/**
 * A node's process: `start` spawns it and resolves once `ready` does; if the process exits first
 * (the error carries its output's tail) or `ready` fails, the process is killed and `start` throws.
 */
export class NodeProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly killOnExit: () => void,
  ) {}

  static async start(name: string, spawnIt: () => ChildProcess, ready: () => Promise<unknown>): Promise<NodeProcess> {
    const child = spawnIt();
    let tail = '';
    const keep = (d: Buffer): void => {
      tail = (tail + d.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    try {
      await Promise.race([exitAsError(child, name, () => tail), ready()]);
    } catch (err) {
      child.kill('SIGKILL');
      await waitExit(child, STOP_DEADLINE_MS);
      process.off('exit', killOnExit);
      throw err;
    }
    return new NodeProcess(child, killOnExit);
  }

  /** Asks it to stop (`rpcStop`; killed if that fails), then waits for its exit (killed after STOP_DEADLINE_MS). */
  async stop(rpcStop: () => Promise<unknown>): Promise<void> {
    await rpcStop().catch(() => this.child.kill('SIGKILL'));
    await waitExit(this.child, STOP_DEADLINE_MS);
    process.off('exit', this.killOnExit);
  }
}
