import { expect } from 'chai';
import sinon from 'sinon';
import { delayAfter, startPolling, type Backoff, type PollOutcome, type PollState } from '../../web/src/poll';

const BACKOFF: Backoff = { firstMs: 1000, factor: 2, maxMs: 5000, maxQuietPolls: 4 };

/** Timers the test moves by hand, recording the delays asked for. */
function handTimers() {
  const clock = sinon.useFakeTimers();
  const delays: number[] = [];
  const timers = {
    set: (callback: () => void, ms: number) => {
      delays.push(ms);
      return setTimeout(callback, ms);
    },
    clear: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  return { clock, delays, timers };
}

describe('status polling with backoff', () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => clock?.restore());

  it('grows the delay while nothing changes, up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((quiet) => delayAfter(quiet, BACKOFF))).to.deep.equal([
      1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('falls back to the first delay after a change and stops when everything is terminal', async () => {
    const hand = handTimers();
    clock = hand.clock;
    const outcomes: PollOutcome[] = [
      { changed: false, done: false },
      { changed: false, done: false },
      { changed: true, done: false },
      { changed: false, done: true },
    ];
    const states: PollState[] = [];
    let polls = 0;
    startPolling(
      async () => outcomes[polls++] as PollOutcome,
      (state) => states.push(state),
      BACKOFF,
      hand.timers,
    );
    await clock.runAllAsync();
    expect(polls).to.equal(4);
    expect(hand.delays).to.deep.equal([1000, 2000, 4000, 1000]);
    expect(states).to.deep.equal(['polling', 'done']);
  });

  it('gives up after a quiet spell instead of polling forever, and backs off on failures too', async () => {
    const hand = handTimers();
    clock = hand.clock;
    const states: PollState[] = [];
    let polls = 0;
    startPolling(
      async () => {
        polls += 1;
        throw new Error('offline');
      },
      (state) => states.push(state),
      BACKOFF,
      hand.timers,
    );
    await clock.runAllAsync();
    expect(polls).to.equal(4);
    expect(hand.delays).to.deep.equal([1000, 2000, 4000, 5000]);
    expect(states).to.deep.equal(['polling', 'gave-up']);
  });

  it('polls again soon when kicked after it finished, and never after stop', async () => {
    const hand = handTimers();
    clock = hand.clock;
    let polls = 0;
    const states: PollState[] = [];
    const poller = startPolling(
      async () => {
        polls += 1;
        return { changed: true, done: true };
      },
      (state) => states.push(state),
      BACKOFF,
      hand.timers,
    );
    await clock.runAllAsync();
    poller.kick();
    await clock.runAllAsync();
    expect(polls).to.equal(2);
    expect(states).to.deep.equal(['polling', 'done', 'polling', 'done']);
    poller.stop();
    poller.kick();
    await clock.runAllAsync();
    expect(polls).to.equal(2);
  });
});
