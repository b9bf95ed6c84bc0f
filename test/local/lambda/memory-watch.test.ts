import { expect } from 'chai';
import { MemoryWatch, residentMemory } from '../../../local/lambda/memory-watch';

describe('MemoryWatch', () => {
  const onLinux = process.platform === 'linux';

  it("reads a process's resident memory and its peak from /proc", function () {
    if (!onLinux) this.skip();
    const memory = residentMemory(process.pid)!;
    expect(memory.rssKb).to.be.above(10_000);
    expect(memory.peakKb).to.be.at.least(memory.rssKb);
    expect(residentMemory(2 ** 30)).to.equal(undefined);
  });

  it('calls the limit passed once, from the kernel peak or from what the process reported', () => {
    const calls: number[] = [];
    const roomy = new MemoryWatch(process.pid, 1_000_000, (peakMb) => calls.push(peakMb));
    expect(roomy.check()).to.equal(false);
    // A process that reports a peak past its limit (getrusage where /proc is missing) is over it too.
    expect(roomy.check(2_000_000 * 1024)).to.equal(true);
    expect(roomy.check()).to.equal(true);
    expect(calls).to.deep.equal([2_000_000]);
  });

  it('trips on this very process when the limit is below what it holds', function () {
    if (!onLinux) this.skip();
    const calls: number[] = [];
    const tight = new MemoryWatch(process.pid, 1, (peakMb) => calls.push(peakMb));
    expect(tight.check()).to.equal(true);
    expect(calls).to.have.length(1);
    // The peak only grows: what was reported is at most what the kernel says now.
    expect(calls[0])
      .to.be.above(1)
      .and.at.most(Math.round(residentMemory(process.pid)!.peakKb / 1024));
  });
});
