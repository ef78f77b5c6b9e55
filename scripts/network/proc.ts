/** What /proc says about a process and the machine (Linux), for the network benchmark. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** User + system CPU seconds of a process, all its threads (GC and libuv's pool included). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

export function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds the whole machine has been busy (all cores: /proc/stat's cpu line, all but idle and iowait). */
export function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / CLOCK_TICKS;
}

export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The load at a moment: load average and the busiest processes. */
export function conditions(): string {
  const load = readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
  let top = '';
  try {
    top = execFileSync('ps', ['-eo', 'pid,pcpu,etimes,args', '--sort=-pcpu'], { encoding: 'utf8' })
      .split('\n')
      .slice(1, 6)
      .map((l) => l.trim().slice(0, 140))
      .join('\n    ');
  } catch {
    top = '(ps failed)';
  }
  return `load average ${load}; top processes by CPU (lifetime average):\n    ${top}`;
}
