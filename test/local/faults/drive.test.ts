import { expect } from 'chai';
import { drive, Gate } from '../../../local/faults/drive';
import { planFaults } from '../../../local/faults/plan';

const FUNCTIONS = ['S3Trigger', 'GenerateThumbnail'];

/** The plan without its pauses, so the test plays it at once. */
function quickPlan(uploads: number) {
  const plan = planFaults({ seed: 7, uploads, functions: FUNCTIONS });
  for (const object of plan.objects) for (const step of object.steps) step.afterMs = 0;
  return plan;
}

describe('the faults run driver', () => {
  it('plays every step once, then waits for the stack to finish the object, restarting once with nothing of its own in flight', async () => {
    const plan = quickPlan(40);
    const log: string[] = [];
    let inFlight = 0;
    const pause = () => new Promise((resolve) => setImmediate(resolve));
    const result = await drive(plan, 4, {
      put: async (object, version) => {
        inFlight += 1;
        await pause();
        log.push(`put ${object.index} ${version.version}`);
        inFlight -= 1;
      },
      remove: async (object) => {
        log.push(`delete ${object.index}`);
      },
      restart: async () => {
        expect(inFlight, 'requests in flight at the restart').to.equal(0);
        log.push('restart');
      },
      finished: async (object) => {
        log.push(`finished ${object.index}`);
      },
    });
    const steps = plan.objects.flatMap((object) => object.steps);
    expect(result).to.deep.include({ puts: 40, deletes: steps.filter((s) => s.action === 'delete').length });
    expect(result.errors).to.deep.equal([]);
    expect(result.skipped).to.equal(0);
    expect(log.filter((line) => line === 'restart')).to.have.length(1);
    for (const object of plan.objects.filter((candidate) => candidate.steps.length > 1)) {
      const mine = log.filter((line) => line.split(' ')[1] === String(object.index));
      const expected = [
        ...object.steps.map((step) =>
          step.action === 'put' ? `put ${object.index} ${step.version}` : `delete ${object.index}`,
        ),
        `finished ${object.index}`,
      ];
      expect(mine, `object ${object.index} in order`).to.deep.equal(expected);
    }
  });

  it('starts no object once its deadline has passed, counts them, and keeps the failures of its own requests', async () => {
    const plan = quickPlan(10);
    const none = await drive(
      plan,
      2,
      { put: async () => undefined, remove: async () => undefined, restart: async () => undefined },
      Date.now() - 1,
    );
    expect(none).to.deep.include({ puts: 0, deletes: 0, skipped: plan.objects.length });
    const failing = await drive(plan, 2, {
      put: async () => {
        throw new Error('refused');
      },
      remove: async () => undefined,
      restart: async () => undefined,
    });
    expect(failing.errors[0]).to.match(/^put private\/.*: Error: refused$/);
  });
});

describe('the faults run gate', () => {
  it('holds new work while its held work runs, and waits for the work in flight first', async () => {
    const gate = new Gate();
    const order: string[] = [];
    let release!: () => void;
    const first = gate.run(
      () =>
        new Promise<void>((resolve) => {
          release = () => {
            order.push('first done');
            resolve();
          };
        }),
    );
    const held = gate.hold(async () => {
      order.push('held');
    });
    const later = gate.run(async () => {
      order.push('later');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).to.deep.equal([]);
    release();
    await Promise.all([first, held, later]);
    expect(order).to.deep.equal(['first done', 'held', 'later']);
  });
});
