import { expect } from 'chai';
import { cascadeDelete, type CascadeDependencies } from '../../../functions/lib/delete-cascade';
import { UploadSuperseded } from '../../../functions/lib/errors';
import { isPhotoItem, type StoredItem, type ThumbnailRef, type UploadRef } from '../../../functions/lib/image-item';
import type { FinishDetails, ImageStore } from '../../../functions/lib/image-store';
import { SOURCE_SEQUENCER_METADATA, writeNewest } from '../../../functions/lib/newest-write';
import { sequencerOrder } from '../../../functions/lib/sequencer';
import {
  discardSupersededObjects,
  MAX_DISCARD_ROUNDS,
  recordOrDiscard,
} from '../../../functions/lib/superseded-objects';
import { convertedKeyFor, thumbnailKeyFor } from '../../../functions/lib/upload-key';
import { MemoryObjects } from '../../support/fakes';
import { uploadFor } from '../../support/fixtures';
import { expectRejection } from '../../support/helpers';

const OLDER = uploadFor('a.jpg', '0065A1B2C3D4E5F600');
const A = uploadFor('a.jpg', '0065A1B2C3D4E5F601');
const DELETE_SEQUENCER = '0065A1B2C3D4E5F602';
const B = uploadFor('a.jpg', '0065A1B2C3D4E5F603');
const THUMBNAIL = thumbnailKeyFor(A);
const RENDITION = convertedKeyFor(A);
const made = (upload: UploadRef) => ({ [SOURCE_SEQUENCER_METADATA]: upload.sequencer });
const bytes = (text: string) => new TextEncoder().encode(text);
const sourceOf = (objects: MemoryObjects, key = THUMBNAIL) =>
  objects.objects.get(key)?.metadata?.[SOURCE_SEQUENCER_METADATA];

/** The ImageMetadata table's ownership rule (functions/lib/aws/dynamodb-image-store.ts) over a Map, with the cascade's. */
class Table implements ImageStore {
  readonly items = new Map<string, StoredItem>();

  async startProcessing(upload: UploadRef) {
    const item = this.items.get(upload.imageId);
    if (item && item.sequencerOrder >= sequencerOrder(upload.sequencer)) return 'stale' as const;
    this.items.set(upload.imageId, {
      ...upload,
      status: 'PROCESSING',
      sequencerOrder: sequencerOrder(upload.sequencer),
      uploadedAt: upload.eventTime,
      updatedAt: upload.eventTime,
    });
    return 'started' as const;
  }
  async saveMetadata() {}
  async finish(upload: UploadRef, status: 'SUCCEEDED' | 'FAILED' | 'UNSUPPORTED', details: FinishDetails) {
    const item = this.items.get(upload.imageId);
    if (!isPhotoItem(item) || item.sequencerOrder !== sequencerOrder(upload.sequencer)) {
      throw new UploadSuperseded(upload.key, upload.sequencer);
    }
    this.items.set(upload.imageId, { ...item, ...details, status } as StoredItem);
  }

  cascadeDeps(objects: MemoryObjects): CascadeDependencies {
    return {
      photos: {
        current: async (imageId) => this.items.get(imageId),
        recordDeletion: async (imageId, sequencer, seen) => {
          if (this.items.get(imageId)?.sequencerOrder !== seen?.sequencerOrder) return false;
          const order = sequencerOrder(sequencer);
          this.items.set(imageId, { imageId, sequencer, sequencerOrder: order, deletedAt: 'now', expiresAt: 1 });
          return true;
        },
      },
      objects: {
        currentExists: async (_bucket, key) => objects.objects.has(key),
        deleteEveryVersion: async (_bucket, key) => {
          const versions = objects.versions.get(key) ?? [];
          objects.versions.delete(key);
          objects.objects.delete(key);
          return versions.length;
        },
      },
      albums: { get: async () => undefined, replaceCover: async () => {} },
      queries: { newestWithThumbnail: async () => undefined },
    };
  }
}

/** One upload's execution from its thumbnail on: the write, then CompleteProcessing or (it failed) RecordFailure. */
class Execution {
  thumbnail: ThumbnailRef | undefined;
  ended: 'recorded' | 'superseded' | undefined;

  constructor(
    readonly upload: UploadRef,
    readonly ending: 'CompleteProcessing' | 'RecordFailure',
    private readonly world: World,
  ) {}

  async write(): Promise<void> {
    try {
      const written = await writeNewest(
        this.world.objects,
        { bucket: this.upload.bucket, key: THUMBNAIL },
        this.upload,
        {
          body: bytes(`thumbnail of ${this.upload.sequencer}`),
          contentType: 'image/jpeg',
        },
      );
      this.thumbnail = { key: THUMBNAIL, width: 1, height: 1, format: 'JPEG', sizeBytes: 1, ...written };
    } catch (error) {
      // GenerateThumbnail found a newer upload's thumbnail: ProcessImage's Catch ends the execution as superseded.
      if (!(error instanceof UploadSuperseded)) throw error;
      this.ended = 'superseded';
    }
  }

  async end(): Promise<void> {
    if (this.ended) return;
    const { table, objects } = this.world;
    const succeeded = this.ending === 'CompleteProcessing' && this.thumbnail;
    const written = succeeded && this.thumbnail ? [this.thumbnail] : [];
    const details: FinishDetails = succeeded ? { thumbnail: this.thumbnail } : { error: { name: 'X', message: 'x' } };
    const status = succeeded ? 'SUCCEEDED' : 'FAILED';
    try {
      await recordOrDiscard(() => table.finish(this.upload, status, details), objects, this.upload, written);
      this.ended = 'recorded';
    } catch (error) {
      if (!(error instanceof UploadSuperseded)) throw error;
      this.ended = 'superseded';
    }
  }
}

class World {
  readonly objects = new MemoryObjects();
  readonly table = new Table();
  cascade: string | undefined;

  async upload(upload: UploadRef) {
    this.objects.put(upload.key, bytes(`photo ${upload.sequencer}`));
    await this.table.startProcessing(upload);
  }

  async cascadeDelete() {
    const deleted = { bucket: A.bucket, key: A.key, sequencer: DELETE_SEQUENCER, eventTime: '2026-11-22T10:16:00Z' };
    this.cascade = (await cascadeDelete(deleted, A, this.table.cascadeDeps(this.objects), new Date())).outcome;
  }
}

interface Step {
  name: string;
  after: string[];
  run: () => Promise<void>;
}

/** Every order of the steps in which each step comes after the steps it names. */
function interleavings(steps: Step[]): Step[][] {
  const orders: Step[][] = [];
  const walk = (done: Step[]) => {
    if (done.length === steps.length) return void orders.push(done);
    for (const step of steps) {
      if (done.includes(step) || !step.after.every((name) => done.some((d) => d.name === name))) continue;
      walk([...done, step]);
    }
  };
  walk([]);
  return orders;
}

async function runAll(order: Step[]) {
  for (const step of order) await step.run();
}

describe('superseded executions remove what they wrote', () => {
  for (const ending of ['CompleteProcessing', 'RecordFailure'] as const) {
    describe(`ending in ${ending}`, () => {
      /** A's execution, the delete of A's original and its cascade, in every order the events allow. */
      const deleteSteps = (world: World, a: Execution): Step[] => [
        { name: 'write A', after: [], run: () => a.write() },
        { name: 'end A', after: ['write A'], run: () => a.end() },
        { name: 'delete', after: [], run: async () => world.objects.deleteCurrent(A.key) },
        { name: 'cascade', after: ['delete'], run: () => world.cascadeDelete() },
      ];

      it('leaves no thumbnail version of a deleted photo, whatever the order of write, delete, cascade and end', async () => {
        const probe = new World();
        const orders = interleavings(deleteSteps(probe, new Execution(A, ending, probe)));
        expect(orders).to.have.lengthOf(6);
        let superseded = 0;
        for (const names of orders.map((order) => order.map((step) => step.name))) {
          const world = new World();
          await world.upload(A);
          const a = new Execution(A, ending, world);
          const steps = deleteSteps(world, a);
          await runAll(names.map((name) => steps.find((step) => step.name === name) as Step));
          const order = names.join(', ');
          expect(world.objects.versions.get(THUMBNAIL) ?? [], order).to.deep.equal([]);
          expect(world.objects.objects.has(THUMBNAIL), order).to.equal(false);
          expect(isPhotoItem(world.table.items.get(A.imageId)), order).to.equal(false);
          if (a.ended === 'superseded') superseded += 1;
        }
        // The race of the fault run: the end found the tombstone in the orders where the cascade came before it.
        expect(superseded).to.equal(3);
      });

      /** Then B, a new upload of the same key after the delete, whose execution succeeds. */
      const reuploadSteps = (world: World, a: Execution, b: Execution): Step[] => [
        ...deleteSteps(world, a),
        { name: 'upload B', after: ['delete'], run: () => world.upload(B) },
        { name: 'write B', after: ['upload B'], run: () => b.write() },
        { name: 'end B', after: ['write B'], run: () => b.end() },
      ];

      it("never removes the newer upload's thumbnail: after a delete and a re-upload, B's stays in every order", async () => {
        const probe = new World();
        const orders = interleavings(
          reuploadSteps(probe, new Execution(A, ending, probe), new Execution(B, 'CompleteProcessing', probe)),
        );
        expect(orders.length).to.be.greaterThan(60);
        for (const names of orders.map((order) => order.map((step) => step.name))) {
          const world = new World();
          await world.upload(A);
          const a = new Execution(A, ending, world);
          const b = new Execution(B, 'CompleteProcessing', world);
          const steps = reuploadSteps(world, a, b);
          await runAll(names.map((name) => steps.find((step) => step.name === name) as Step));
          const order = names.join(', ');
          const item = world.table.items.get(B.imageId);
          expect(isPhotoItem(item) && item.status, order).to.equal('SUCCEEDED');
          expect(isPhotoItem(item) && item.sequencer, order).to.equal(B.sequencer);
          expect(sourceOf(world.objects), order).to.equal(B.sequencer);
          expect(isPhotoItem(item) && item.thumbnail?.versionId, order).to.equal(
            world.objects.objects.get(THUMBNAIL)?.versionId,
          );
          if (a.ended === 'superseded' && a.thumbnail) {
            const versions = world.objects.versions.get(THUMBNAIL) ?? [];
            const left = versions.filter((version) => version.versionId === a.thumbnail?.versionId);
            if (ending === 'CompleteProcessing') expect(left, `${order}: A's recorded version`).to.deep.equal([]);
          }
        }
      });
    });
  }

  describe('discardSupersededObjects', () => {
    it("deletes from the top while a version is this upload's or older, and stops at a newer upload's", async () => {
      const objects = new MemoryObjects();
      objects.put(THUMBNAIL, bytes('b'), made(B));
      objects.put(THUMBNAIL, bytes('older'), made(OLDER));
      objects.put(THUMBNAIL, bytes('a, first attempt'), made(A));
      objects.put(THUMBNAIL, bytes('a, retried'), made(A));
      const removed = await discardSupersededObjects(objects, A);
      expect(removed.map((r) => r.key)).to.deep.equal([THUMBNAIL, THUMBNAIL, THUMBNAIL]);
      expect(sourceOf(objects)).to.equal(B.sequencer);
      expect(objects.versions.get(THUMBNAIL)).to.have.lengthOf(1);
    });

    it('removes the rendition too, and the versions it was told it wrote even when a newer one is on top', async () => {
      const objects = new MemoryObjects();
      const rendition = objects.put(RENDITION, bytes('a rendition'), made(A));
      const thumbnail = objects.put(THUMBNAIL, bytes('a'), made(A));
      objects.put(THUMBNAIL, bytes('b'), made(B));
      await discardSupersededObjects(objects, A, [{ key: THUMBNAIL, versionId: thumbnail.versionId }]);
      expect(objects.objects.has(RENDITION)).to.equal(false);
      expect(objects.versions.get(RENDITION)?.includes(rendition)).to.equal(false);
      expect(objects.versions.get(THUMBNAIL)?.map((v) => v.metadata?.[SOURCE_SEQUENCER_METADATA])).to.deep.equal([
        B.sequencer,
      ]);
    });

    it('never deletes what it cannot name by version, nor keys other than its own thumbnail and rendition', async () => {
      const objects = new MemoryObjects();
      objects.put(THUMBNAIL, bytes('unversioned'), made(A), 'null');
      objects.put('private/other/resized/x.jpg', bytes('x'), made(A));
      const removed = await discardSupersededObjects(objects, A, [
        { key: 'private/other/resized/x.jpg', versionId: 'v9' },
        { key: THUMBNAIL, versionId: 'null' },
        { key: THUMBNAIL },
      ]);
      expect(removed).to.deep.equal([]);
      expect(objects.objects.has(THUMBNAIL)).to.equal(true);
      expect(objects.calls.filter((call) => call.startsWith('deleteVersion'))).to.deep.equal([]);
    });

    it(`stops after ${MAX_DISCARD_ROUNDS} versions of one key`, async () => {
      const objects = new MemoryObjects();
      for (let i = 0; i < MAX_DISCARD_ROUNDS + 3; i += 1) objects.put(THUMBNAIL, bytes(`older ${i}`), made(OLDER));
      const removed = await discardSupersededObjects(objects, A);
      expect(removed).to.have.lengthOf(MAX_DISCARD_ROUNDS);
      expect(objects.versions.get(THUMBNAIL)).to.have.lengthOf(3);
    });
  });

  describe('recordOrDiscard', () => {
    it('removes nothing when the record succeeds or fails otherwise, and rethrows UploadSuperseded after removing', async () => {
      const objects = new MemoryObjects();
      objects.put(THUMBNAIL, bytes('a'), made(A));
      expect(await recordOrDiscard(async () => 'recorded', objects, A)).to.equal('recorded');
      await expectRejection(
        recordOrDiscard(async () => Promise.reject(new Error('DynamoDB down')), objects, A),
        Error,
        /DynamoDB down/,
      );
      expect(objects.objects.has(THUMBNAIL)).to.equal(true);
      await expectRejection(
        recordOrDiscard(async () => Promise.reject(new UploadSuperseded(A.key, A.sequencer)), objects, A),
        UploadSuperseded,
      );
      expect(objects.objects.has(THUMBNAIL)).to.equal(false);
    });
  });
});
