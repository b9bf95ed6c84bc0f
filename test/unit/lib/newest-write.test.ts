import { expect } from 'chai';
import { TransientError, UploadSuperseded } from '../../../functions/lib/errors';
import { MAX_WRITE_ROUNDS, SOURCE_SEQUENCER_METADATA, writeNewest } from '../../../functions/lib/newest-write';
import {
  WriteConflict,
  type ObjectRef,
  type ObjectStore,
  type WriteOptions,
} from '../../../functions/lib/object-store';
import { MemoryObjects } from '../../support/fakes';
import { expectRejection } from '../../support/helpers';

const BUCKET = 'photorepo';
const THUMBNAIL: ObjectRef = { bucket: BUCKET, key: 'private/u/resized/a.jpg' };
const OLDER = { key: 'private/u/uploads/a.jpg', sequencer: '0065A1B2C3D4E5F601' };
const NEWER = { key: 'private/u/uploads/a.jpg', sequencer: '0065A1B2C3D4E5F602' };
const bytes = (text: string) => new TextEncoder().encode(text);
const content = (text: string) => ({ body: bytes(text), contentType: 'image/jpeg' });
const current = (objects: MemoryObjects) => objects.objects.get(THUMBNAIL.key);
const text = (body: Uint8Array | undefined) => (body ? new TextDecoder().decode(body) : undefined);

/**
 * Runs writers whose every object store call waits for the scheduler, which lets exactly one call through at a time,
 * in the order a list of choices says (index into the writers waiting, sorted by name). Each run answers which choices
 * were open at each step, so a depth-first walk visits every interleaving of the writers' calls.
 */
class Scheduler {
  private readonly waiting = new Map<string, () => void>();
  readonly branching: number[] = [];

  constructor(private readonly choices: number[]) {}

  /** The store as one writer sees it: every call first waits for its turn. */
  storeFor(name: string, objects: ObjectStore): ObjectStore {
    const turn = () => new Promise<void>((resolve) => this.waiting.set(name, resolve));
    return {
      head: async (ref) => (await turn(), objects.head(ref)),
      readRange: async (ref, start, end) => (await turn(), objects.readRange(ref, start, end)),
      read: async (ref) => (await turn(), objects.read(ref)),
      headIfAny: async (ref) => (await turn(), objects.headIfAny(ref)),
      write: async (ref, body, type, options?: WriteOptions) => (await turn(), objects.write(ref, body, type, options)),
    };
  }

  /** Lets the writers run to completion, one call at a time. */
  async run(writers: Promise<unknown>[]): Promise<void> {
    let finished = false;
    const all = Promise.allSettled(writers).then(() => (finished = true));
    for (let step = 0; ; step += 1) {
      await settle();
      if (finished && this.waiting.size === 0) break;
      const names = [...this.waiting.keys()].sort();
      if (names.length === 0) throw new Error('no writer is waiting and not all finished');
      this.branching.push(names.length);
      const name = names[Math.min(this.choices[step] ?? 0, names.length - 1)] as string;
      const release = this.waiting.get(name) as () => void;
      this.waiting.delete(name);
      release();
    }
    await all;
  }
}

/** Lets every pending promise chain advance (the fake store does no I/O). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The next choice list of a depth-first walk, or undefined after the last interleaving. */
function nextChoices(choices: number[], branching: number[]): number[] | undefined {
  for (let step = branching.length - 1; step >= 0; step -= 1) {
    const choice = choices[step] ?? 0;
    if (choice + 1 < (branching[step] as number))
      return [...Array.from({ length: step }, (_, index) => choices[index] ?? 0), choice + 1];
  }
  return undefined;
}

describe('writeNewest (derived objects never go back to an older upload)', () => {
  it('writes a new object on If-None-Match: *, naming its upload in the metadata', async () => {
    const objects = new MemoryObjects();
    const written = await writeNewest(objects, THUMBNAIL, NEWER, content('new'));
    expect(written.versionId).to.equal(current(objects)?.versionId);
    expect(current(objects)?.metadata).to.deep.equal({ [SOURCE_SEQUENCER_METADATA]: NEWER.sequencer });
    expect(objects.calls).to.deep.equal([`headIfAny ${THUMBNAIL.key}`, `write ${THUMBNAIL.key}`]);
  });

  it("replaces an older upload's object, its own (a retried step) and one without metadata", async () => {
    const objects = new MemoryObjects();
    objects.put(THUMBNAIL.key, bytes('hand-made'));
    await writeNewest(objects, THUMBNAIL, OLDER, content('older'));
    expect(text(current(objects)?.body)).to.equal('older');
    await writeNewest(objects, THUMBNAIL, OLDER, content('older again'));
    expect(text(current(objects)?.body)).to.equal('older again');
    await writeNewest(objects, THUMBNAIL, NEWER, content('newer'));
    expect(text(current(objects)?.body)).to.equal('newer');
  });

  it("leaves a newer upload's object in place and ends the older writer with UploadSuperseded", async () => {
    const objects = new MemoryObjects();
    await writeNewest(objects, THUMBNAIL, NEWER, content('newer'));
    await expectRejection(writeNewest(objects, THUMBNAIL, OLDER, content('older')), UploadSuperseded);
    expect(text(current(objects)?.body)).to.equal('newer');
  });

  it(`gives up with a TransientError after losing ${MAX_WRITE_ROUNDS} races in a row`, async () => {
    const objects = new MemoryObjects();
    const losing: ObjectStore = {
      ...objects,
      head: (ref) => objects.head(ref),
      readRange: (ref, start, end) => objects.readRange(ref, start, end),
      read: (ref) => objects.read(ref),
      headIfAny: (ref) => objects.headIfAny(ref),
      write: async () => {
        throw new WriteConflict('someone else wrote first');
      },
    };
    await expectRejection(writeNewest(losing, THUMBNAIL, NEWER, content('new')), TransientError, /lost 5 races/);
    expect(objects.calls.filter((call) => call.startsWith('headIfAny'))).to.have.lengthOf(MAX_WRITE_ROUNDS);
  });

  for (const start of ['no object yet', "an older upload's object"] as const) {
    it(`whatever the interleaving of two executions' calls (${start}), the newer upload's object stays`, async () => {
      const explored = await everyInterleaving([OLDER, NEWER], start !== 'no object yet');
      expect(explored.violations).to.deep.equal([]);
      // Both ways the older writer can end were reached: it wrote before the newer one, or it found the newer there.
      expect(explored.olderOutcomes).to.deep.equal(['fulfilled', 'rejected']);
      expect(explored.interleavings).to.be.at.least(6);
    });
  }

  it("three executions of one key: the newest upload's object stays, however their calls interleave", async () => {
    const middle = { key: OLDER.key, sequencer: '0065A1B2C3D4E5F6015' };
    const explored = await everyInterleaving([OLDER, middle, NEWER], false);
    expect(explored.violations).to.deep.equal([]);
    expect(explored.interleavings).to.be.at.least(50);
  });

  it('the same walk catches a writer that drops the condition: some interleaving leaves the older object', async () => {
    const explored = await everyInterleaving([OLDER, NEWER], false, { unconditional: true });
    expect(explored.violations).to.not.deep.equal([]);
  });
});

/**
 * Runs the writers (oldest first, each writing its index as content) under every interleaving of their store calls
 * and lists the interleavings after which the newest writer failed, another failed with anything but UploadSuperseded,
 * or the object in place is not the newest one's. `unconditional` drops the writes' conditions (a broken writer).
 */
async function everyInterleaving(
  uploads: { key: string; sequencer: string }[],
  withOldObject: boolean,
  { unconditional = false } = {},
) {
  let choices: number[] | undefined = [];
  const olderOutcomes = new Set<string>();
  const violations: string[] = [];
  let interleavings = 0;
  const newest = uploads.length - 1;
  while (choices) {
    const objects = new MemoryObjects();
    if (withOldObject)
      objects.put(THUMBNAIL.key, bytes('oldest'), { [SOURCE_SEQUENCER_METADATA]: '0065A1B2C3D4E5F600' });
    const store: ObjectStore = unconditional
      ? Object.assign(Object.create(objects) as MemoryObjects, {
          write: (ref: ObjectRef, body: Uint8Array, type: string, options?: WriteOptions) =>
            objects.write(ref, body, type, { ...options, condition: undefined }),
        })
      : objects;
    const scheduler = new Scheduler(choices);
    const writers = uploads.map((upload, index) =>
      writeNewest(scheduler.storeFor(`writer${index}`, store), THUMBNAIL, upload, content(`writer${index}`)),
    );
    const results = Promise.allSettled(writers);
    await scheduler.run(writers);
    const settled = await results;
    const wrong =
      settled[newest]?.status !== 'fulfilled' ||
      settled.some((result) => result.status === 'rejected' && !(result.reason instanceof UploadSuperseded)) ||
      text(current(objects)?.body) !== `writer${newest}` ||
      current(objects)?.metadata?.[SOURCE_SEQUENCER_METADATA] !== uploads[newest]?.sequencer;
    if (wrong) violations.push(`choices ${JSON.stringify(choices)}: ${text(current(objects)?.body)} in place`);
    olderOutcomes.add(settled[0]?.status ?? '');
    interleavings += 1;
    choices = nextChoices(choices, scheduler.branching);
  }
  return { olderOutcomes: [...olderOutcomes].sort(), interleavings, violations };
}
