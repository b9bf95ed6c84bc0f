import { expect } from 'chai';
import { compareSequencers, sequencerOrder } from '../../../functions/lib/sequencer';

describe('sequencer', () => {
  it('turns a sequencer into a fixed-width upper-case form', () => {
    expect(sequencerOrder('0065a1b2c3d4e5f601')).to.equal('0065A1B2C3D4E5F60100000000000000');
    expect(sequencerOrder(' 0055AED6DCD90281E5 ')).to.equal('0055AED6DCD90281E500000000000000');
  });

  it('refuses what is not a sequencer', () => {
    for (const bad of ['', 'xyz', '0065-A1', 'F'.repeat(65)])
      expect(() => sequencerOrder(bad), bad).to.throw(RangeError, /Not an S3 sequencer/);
  });

  it('compares as AWS documents: hexadecimal, the shorter right-padded with zeros', () => {
    expect(compareSequencers('0065A1B2C3D4E5F601', '0065A1B2C3D4E5F602')).to.equal(-1);
    expect(compareSequencers('0065A1B2C3D4E5F6', '0065A1B2C3D4E5F600')).to.equal(0);
    expect(compareSequencers('0065A1B2C3D4E5F7', '0065A1B2C3D4E5F601')).to.equal(1);
    expect(compareSequencers('0065a1', '0065A1')).to.equal(0);
    // A plain string comparison would get this one wrong: "0066" < "00650001" as strings of different lengths is false.
    expect(compareSequencers('0066', '00650001')).to.equal(1);
  });

  it('orders the fixed-width forms as plain strings exactly as compareSequencers does (what the DynamoDB conditions rely on)', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const random = () => {
      const length = 1 + (next() % 32);
      return Array.from({ length }, () => '0123456789ABCDEF'[next() % 16]).join('');
    };
    for (let i = 0; i < 2000; i += 1) {
      const a = random();
      const b = i % 5 === 0 ? a + '0'.repeat(next() % 4) : random();
      const plain = sequencerOrder(a) < sequencerOrder(b) ? -1 : sequencerOrder(a) > sequencerOrder(b) ? 1 : 0;
      expect(plain, `${a} vs ${b}`).to.equal(compareSequencers(a, b));
    }
  });

  it('gives equal sequencers the same string even past 32 digits (trailing zeros do not count)', () => {
    const long = `0065A1B2C3D4E5F601${'0'.repeat(30)}`;
    expect(sequencerOrder(long)).to.equal(sequencerOrder('0065A1B2C3D4E5F601'));
    expect(compareSequencers(long, '0065A1B2C3D4E5F601')).to.equal(0);
    expect(sequencerOrder(`${long}1`) > sequencerOrder('0065A1B2C3D4E5F601')).to.equal(true);
  });
});
