/**
 * A loopback address where a TCP connect never completes, without leaving loopback: a listener
 * (backlog 1) in a child process that we stop with SIGSTOP, so nothing ever accepts. Two filler
 * connections fill its accept queue (Linux keeps backlog + 1: net/ipv4/tcp_input.c
 * tcp_conn_request drops a SYN once sk_acceptq_is_full), and every later SYN goes unanswered,
 * exactly as a dead host's would.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { once } from 'node:events';

const LISTENER = `const s = require('node:net').createServer();
s.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => process.stdout.write(s.address().port + '\\n'));`;

export interface StalledListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function stalledListener(): Promise<StalledListener> {
  const child = spawn(process.execPath, ['-e', LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const port = Number(line);
  child.kill('SIGSTOP');
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    fillers.push(s);
    await once(s, 'connect');
  }
  return {
    host: '127.0.0.1',
    port,
    async close() {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
      await exited;
    },
  };
}
