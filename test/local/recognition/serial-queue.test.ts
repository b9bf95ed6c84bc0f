import { expect } from 'chai';
import { SerialQueue } from '../../../local/recognition/serial-queue';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SerialQueue', () => {
  it('runs one job at a time, in arrival order, and keeps every job', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const job = (name: string) => async () => {
      running += 1;
      expect(running).to.equal(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((name) => queue.run(job(name))));
    expect(results).to.deep.equal(['a', 'b', 'c']);
    expect(log).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('settles a failed job alone and goes on with the next', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('boom');
    });
    const next = queue.run(async () => 'next');
    expect(
      await failed.then(
        () => 'resolved',
        (error: Error) => error.message,
      ),
    ).to.equal('boom');
    expect(await next).to.equal('next');
  });

  it('drains only once everything queued has settled', async () => {
    const queue = new SerialQueue();
    let done = 0;
    for (let i = 0; i < 3; i += 1) {
      void queue.run(async () => {
        await tick();
        done += 1;
      });
    }
    expect(queue.size).to.equal(3);
    await queue.drain();
    expect(done).to.equal(3);
    expect(queue.size).to.equal(0);
  });
});
