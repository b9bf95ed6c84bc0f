import { readFileSync } from 'node:fs';

/**
 * MemorySize held on a sandbox's resident memory, as Lambda holds it (the whole process: runtime, bundle, V8 heap,
 * Buffers, WebAssembly memory), not only V8's heap. Each sandbox is a process of its own, so the kernel's numbers for
 * it are its alone: VmRSS now and VmHWM, the highest it has been.
 */

export interface ResidentMemory {
  rssKb: number;
  /** The highest RSS since the process started (VmHWM). */
  peakKb: number;
}

/** From /proc/<pid>/status (Linux); undefined where there is none (macOS, Windows) or the process is gone. */
export function residentMemory(pid: number): ResidentMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    const peak = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return rss && peak ? { rssKb: Number(rss), peakKb: Number(peak) } : undefined;
  } catch {
    return undefined;
  }
}

/** How often a busy sandbox's memory is read; what happens between two reads still shows in VmHWM at the next. */
export const SAMPLE_INTERVAL_MS = 100;

/**
 * Watches one process while it works (cold start, invocation) and calls `exceeded` once when its peak passes the
 * limit. Reading VmHWM rather than VmRSS means a spike shorter than the interval is caught too, only later.
 */
export class MemoryWatch {
  private timer: NodeJS.Timeout | undefined;
  private tripped = false;

  constructor(
    private readonly pid: number,
    readonly limitMb: number,
    private readonly exceeded: (peakMb: number) => void,
  ) {}

  start(): void {
    if (this.timer || this.tripped) return;
    this.timer = setInterval(() => this.check(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Reads the peak now; `reportedKb` is what the process said of itself (its own VmHWM, or getrusage where /proc is
   * missing). Answers whether the limit was passed, calling `exceeded` the first time.
   */
  check(reportedKb = 0): boolean {
    if (this.tripped) return true;
    const peakKb = Math.max(residentMemory(this.pid)?.peakKb ?? 0, reportedKb);
    if (peakKb <= this.limitMb * 1024) return false;
    this.tripped = true;
    this.stop();
    this.exceeded(Math.round(peakKb / 1024));
    return true;
  }
}
