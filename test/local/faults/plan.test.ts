import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { imageOf, PALETTE, seeImage } from '../../../local/faults/images';
import { injectionOf } from '../../../local/faults/injection';
import { planFaults } from '../../../local/faults/plan';
import { streamOf } from '../../../local/faults/random';
import { uploadPathFunctions } from '../../../local/faults/run';

const FUNCTIONS = ['S3Trigger', 'ExtractImageMetadata', 'GenerateThumbnail', 'DeleteCascade'];

describe('the faults run plan', () => {
  it('is the same for the same seed and differs for another', () => {
    const plan = planFaults({ seed: 42, uploads: 200, functions: FUNCTIONS });
    expect(planFaults({ seed: 42, uploads: 200, functions: [...FUNCTIONS].reverse() })).to.deep.equal(plan);
    const other = planFaults({ seed: 43, uploads: 200, functions: FUNCTIONS });
    expect(other.objects.map((object) => object.scenario)).to.not.deep.equal(plan.objects.map((o) => o.scenario));
  });

  it('makes exactly the uploads asked for, with every kind of scenario, and restarts once midway', () => {
    const plan = planFaults({ seed: 5, uploads: 300, functions: FUNCTIONS });
    const puts = plan.objects.flatMap((object) => object.steps).filter((step) => step.action === 'put');
    expect(puts).to.have.length(300);
    const scenarios = new Set(plan.objects.map((object) => object.scenario));
    expect([...scenarios].sort()).to.deep.equal(
      ['deleteDuring', 'deleteThenReupload', 'duplicate', 'outOfOrder', 'reupload', 'single'].sort(),
    );
    expect(plan.restart.afterObject).to.be.within(plan.objects.length * 0.35 - 1, plan.objects.length * 0.65 + 1);
    expect(new Set(plan.objects.map((object) => object.key)).size).to.equal(plan.objects.length);
    for (const size of [1, 2, 3]) {
      const small = planFaults({ seed: 5, uploads: size, functions: FUNCTIONS });
      expect(small.objects.flatMap((o) => o.steps).filter((step) => step.action === 'put')).to.have.length(size);
      expect(small.restart.afterObject).to.be.below(small.objects.length);
    }
  });

  it('holds back the first version of an out-of-order pair and gives each version of a key its own colour and shape', () => {
    const plan = planFaults({ seed: 9, uploads: 300, functions: FUNCTIONS });
    for (const object of plan.objects) {
      expect(new Set(object.versions.map((version) => version.color)).size).to.equal(object.versions.length);
      if (object.scenario === 'outOfOrder') expect(object.deliveries[0]).to.deep.include({ version: 0 });
      if (object.scenario === 'outOfOrder') expect(object.deliveries[0]?.holdMs).to.be.at.least(1500);
      if (object.scenario === 'duplicate') expect(object.deliveries[0]?.extraCopies).to.be.within(1, 2);
    }
    const faults = plan.objects.flatMap((object) => object.lambdaFaults);
    expect(faults.length).to.be.within(10, 80);
    expect(faults.every((fault) => FUNCTIONS.includes(fault.functionName))).to.equal(true);
  });

  it('crashes only functions an upload or a delete invokes, as template.yaml wires them', () => {
    const functions = uploadPathFunctions();
    expect(functions).to.include.members(['S3Trigger', 'DeleteCascade', 'ExtractImageMetadata', 'GenerateThumbnail']);
    expect(functions).to.include('RecordFailure');
    expect(functions).to.not.include.members(['ListAlbums', 'CreateUpload', 'GetPhoto']);
    expect(functions).to.deep.equal([...functions].sort());
  });

  it('draws named streams that do not depend on one another', () => {
    const draw = (name: string) => Array.from({ length: 5 }, () => streamOf(1, name).int(0, 1000));
    expect(draw('a')).to.deep.equal(draw('a'));
    const a = streamOf(1, 'a');
    const b = streamOf(1, 'b');
    expect([a.int(0, 1e9), a.int(0, 1e9)]).to.not.deep.equal([b.int(0, 1e9), b.int(0, 1e9)]);
  });
});

describe('the faults run injection', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'faults-injection-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails the same requests of each service for the same plan and life of the stack, and journals them', async () => {
    const plan = planFaults({ seed: 11, uploads: 20, functions: FUNCTIONS });
    const sequence = async (journal: string, phase: number) => {
      const injection = await injectionOf(plan, phase, path.join(dir, journal));
      return Array.from({ length: 400 }, (_, n) => injection.request(['s3', 'dynamodb', 'lambda'][n % 3] as string));
    };
    const first = await sequence('one.jsonl', 0);
    expect(await sequence('two.jsonl', 0)).to.deep.equal(first);
    expect(await sequence('three.jsonl', 1)).to.not.deep.equal(first);
    const failed = first.filter(Boolean);
    expect(failed.length).to.be.within(2, 20);
    expect(first.filter((_, n) => n % 3 === 2).every((fault) => fault === undefined)).to.equal(true);
    const journal = readFileSync(path.join(dir, 'one.jsonl'), 'utf8').trim().split('\n');
    expect(journal).to.have.length(failed.length);
    expect(JSON.parse(journal[0] as string)).to.deep.include({ phase: 0, fault: 'request' });
  });

  it('crashes the planned invocation of a function about a key, and only that one', async () => {
    const plan = planFaults({ seed: 11, uploads: 400, functions: FUNCTIONS });
    const object = plan.objects.find((candidate) => candidate.lambdaFaults.length > 0);
    const fault = object?.lambdaFaults[0];
    if (!object || !fault) throw new Error('the plan has no Lambda fault');
    const injection = await injectionOf(plan, 0, path.join(dir, 'journal.jsonl'));
    const step = { upload: { key: object.key } };
    const event = { detail: { object: { key: object.key } } };
    const payload = fault.functionName === 'S3Trigger' || fault.functionName === 'DeleteCascade' ? event : step;
    expect(injection.invocation('OtherFunction', payload)).to.equal(undefined);
    expect(injection.invocation(fault.functionName, payload)).to.deep.equal({
      kind: fault.kind,
      afterMs: fault.afterMs,
    });
    expect(injection.invocation(fault.functionName, payload)).to.equal(undefined);
  });

  it('holds back and copies the event of the planned version, found by its ETag', async () => {
    const plan = planFaults({ seed: 3, uploads: 200, functions: FUNCTIONS });
    const object = plan.objects.find((candidate) => candidate.scenario === 'outOfOrder');
    if (!object) throw new Error('the plan has no out-of-order upload');
    const injection = await injectionOf(plan, 0, path.join(dir, 'journal.jsonl'));
    const created = async (version: number) => ({
      version: '0' as const,
      id: 'e',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '0',
      time: '',
      region: 'us-east-1',
      resources: [],
      detail: { object: { key: object.key, etag: (await imageOf(object.versions[version]!)).etag.replace(/"/g, '') } },
    });
    expect(injection.delivery(await created(0))).to.deep.equal({
      holdMs: object.deliveries[0]?.holdMs,
      copyDelaysMs: [],
    });
    expect(injection.delivery(await created(1))).to.equal(undefined);
  });
});

describe('the faults run images', () => {
  it('tells each version by the colour and shape of a thumbnail made from it', async () => {
    for (const [color, kind] of [
      [0, 'jpeg'],
      [1, 'png'],
      [2, 'jpeg'],
    ] as const) {
      const image = await imageOf({ version: color, kind, width: 240, height: 320, color });
      expect(await seeImage(image.bytes)).to.deep.equal({ width: 240, height: 320, color });
    }
    expect(PALETTE.length).to.be.at.least(3);
  });
});
