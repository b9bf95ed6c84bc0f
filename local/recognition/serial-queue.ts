/**
 * Runs jobs one at a time in arrival order. Every job is kept: a failure settles that job's promise only.
 * One decoded image and one inference at a time is what bounds memory, whatever the request rate.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  run<T>(job: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const result = this.tail.then(job);
    this.tail = result.then(
      () => this.settle(),
      () => this.settle(),
    );
    return result;
  }

  get size(): number {
    return this.pending;
  }

  /** Resolves once every job queued so far has settled. */
  async drain(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }

  private settle(): void {
    this.pending -= 1;
  }
}
