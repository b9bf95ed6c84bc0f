import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EventBridgeEvent } from './s3-object-events';

/**
 * The event bus's deliveries on disk, so none is lost when the stack stops or crashes: EventBridge and Lambda's
 * asynchronous queue keep an event until its target has it, and a stack killed between an S3 write and S3Trigger's
 * answer must not forget the upload. A delivery is written (synchronously, before the S3 request that caused it is
 * answered) when it is scheduled and marked done when it ends, delivered or dead-lettered; at the next start the ones
 * not done are delivered again (at least once, as AWS delivers: the targets are idempotent).
 */
export interface PendingDelivery {
  id: string;
  rule: string;
  event: EventBridgeEvent;
}

type Line = { add: PendingDelivery } | { done: string };

/** Lines written before the file is emptied, once nothing in it is pending any more. */
const COMPACT_AFTER_LINES = 2000;

export class DeliveryJournal {
  private readonly leftOver: PendingDelivery[];
  private readonly pending = new Set<string>();
  private lines: number;

  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.leftOver = readPending(file);
    // Compacted at start: only what is still to deliver is kept.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, this.leftOver.map((delivery) => `${JSON.stringify({ add: delivery })}\n`).join(''));
    renameSync(temp, file);
    this.lines = this.leftOver.length;
    for (const delivery of this.leftOver) this.pending.add(delivery.id);
  }

  /** The deliveries an earlier run of the stack left unfinished. */
  unfinished(): PendingDelivery[] {
    return [...this.leftOver];
  }

  add(delivery: PendingDelivery): void {
    this.pending.add(delivery.id);
    this.append({ add: delivery });
  }

  done(id: string): void {
    this.pending.delete(id);
    // Nothing left to deliver: a long-running stack's journal starts again empty instead of growing for ever.
    if (this.pending.size === 0 && this.lines >= COMPACT_AFTER_LINES) {
      writeFileSync(this.file, '');
      this.lines = 0;
      return;
    }
    this.append({ done: id });
  }

  private append(line: Line): void {
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
    this.lines += 1;
  }
}

function readPending(file: string): PendingDelivery[] {
  if (!existsSync(file)) return [];
  const pending = new Map<string, PendingDelivery>();
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      // A line cut off by a crash: its delivery was never acknowledged to anyone.
      continue;
    }
    if ('add' in line) pending.set(line.add.id, line.add);
    else pending.delete(line.done);
  }
  return [...pending.values()];
}
