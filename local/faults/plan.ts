import { uploadKeyOf } from '../../functions/lib/upload-key';
import { streamOf, type Random } from './random';

/**
 * The schedule of a fault run, made from its seed alone (and the functions the template has): which objects are
 * uploaded, how (once, again, out of order, deleted while processing), which of their events are delivered twice or
 * held back, which function invocations crash or time out, how often requests of the functions fail, and when the
 * stack is killed. The same seed always gives the same plan; what the stack then does with it depends on timing.
 */
export type ImageKind = 'jpeg' | 'png' | 'gif';

export interface PlannedVersion {
  version: number;
  kind: ImageKind;
  width: number;
  height: number;
  /** Index into the palette of ./images.ts: each version of a key has its own colour. */
  color: number;
}

export type Step = { action: 'put'; version: number; afterMs: number } | { action: 'delete'; afterMs: number };

export type ScenarioKind = 'single' | 'duplicate' | 'reupload' | 'outOfOrder' | 'deleteDuring' | 'deleteThenReupload';

/** How the events of one version are delivered: `extraCopies` more times, the first held back `holdMs`. */
export interface DeliveryFault {
  version: number;
  extraCopies: number;
  holdMs: number;
  /** Delays of the extra copies after the first delivery. */
  copyDelaysMs: number[];
}

/** The `occurrence`-th invocation of the function about the object crashes or times out `afterMs` into it. */
export interface LambdaFault {
  functionName: string;
  occurrence: number;
  kind: 'crash' | 'timeout';
  afterMs: number;
}

export interface PlannedObject {
  index: number;
  scenario: ScenarioKind;
  key: string;
  userId: string;
  albumId?: string;
  fileName: string;
  versions: PlannedVersion[];
  steps: Step[];
  deliveries: DeliveryFault[];
  lambdaFaults: LambdaFault[];
}

export type RequestFaultKind = 'throttle' | 'serverError' | 'timeout' | 'lostAnswer';

export interface RequestFaultPlan {
  /** The services whose requests (from the functions) may fail: the stack's route names. */
  services: string[];
  /** Chance that one request fails; a request right after a failed one of the same service never does. */
  rate: number;
  kinds: Record<RequestFaultKind, number>;
  /** How long a `timeout` holds the request before dropping the connection. */
  timeoutMs: [number, number];
}

export interface FaultPlan {
  seed: number;
  uploads: number;
  functions: string[];
  objects: PlannedObject[];
  /** The stack is killed once the first `afterObject` objects have started, and started again `downMs` later. */
  restart: { afterObject: number; downMs: number };
  requests: RequestFaultPlan;
}

export interface PlanOptions {
  seed: number;
  /** PUTs in all (first uploads and re-uploads). */
  uploads: number;
  /** The functions an upload or a delete invokes (S3Trigger, the state machine's, DeleteCascade, ...). */
  functions: string[];
}

const SCENARIOS: Record<ScenarioKind, number> = {
  single: 35,
  duplicate: 15,
  reupload: 15,
  outOfOrder: 12,
  deleteDuring: 13,
  deleteThenReupload: 10,
};
const PUTS: Record<ScenarioKind, number> = {
  single: 1,
  duplicate: 1,
  reupload: 2,
  outOfOrder: 2,
  deleteDuring: 1,
  deleteThenReupload: 2,
};
const SHAPES: [number, number][] = [
  [320, 240],
  [240, 320],
  [300, 300],
];
const USERS = 4;
const ALBUMS = 3;
const LAMBDA_FAULT_CHANCE = 0.12;

export function planFaults(options: PlanOptions): FaultPlan {
  if (!Number.isInteger(options.uploads) || options.uploads < 1) throw new RangeError('uploads must be at least 1');
  const random = streamOf(options.seed, 'objects');
  const functions = [...options.functions].sort();
  const objects: PlannedObject[] = [];
  let puts = 0;
  while (puts < options.uploads) {
    let scenario = random.weighted(SCENARIOS);
    if (puts + PUTS[scenario] > options.uploads) scenario = random.pick(['single', 'duplicate', 'deleteDuring']);
    const object = plannedObject(objects.length, scenario, random, functions);
    puts += PUTS[scenario];
    objects.push(object);
  }
  const restart = streamOf(options.seed, 'restart');
  return {
    seed: options.seed,
    uploads: options.uploads,
    functions,
    objects,
    restart: {
      afterObject: Math.min(
        objects.length - 1,
        restart.int(Math.floor(objects.length * 0.35), Math.ceil(objects.length * 0.65)),
      ),
      downMs: restart.int(0, 1000),
    },
    requests: {
      services: ['s3', 'dynamodb', 'rekognition', 'states'],
      rate: 0.03,
      kinds: { throttle: 4, serverError: 3, timeout: 2, lostAnswer: 1 },
      timeoutMs: [200, 2000],
    },
  };
}

function plannedObject(index: number, scenario: ScenarioKind, random: Random, functions: string[]): PlannedObject {
  const userId = `faults-user-${random.int(0, USERS - 1)}`;
  const albumId = random.chance(0.5) ? `album-${random.int(0, ALBUMS - 1)}` : undefined;
  const fileName = `photo-${String(index).padStart(5, '0')}.jpg`;
  const versions = Array.from({ length: PUTS[scenario] }, (_, version) => plannedVersion(version, random));
  return {
    index,
    scenario,
    key: uploadKeyOf({ userId, ...(albumId ? { albumId } : {}), fileName }),
    userId,
    ...(albumId ? { albumId } : {}),
    fileName,
    versions,
    steps: stepsOf(scenario, random),
    deliveries: deliveriesOf(scenario, random),
    lambdaFaults: random.chance(LAMBDA_FAULT_CHANCE) && functions.length > 0 ? [lambdaFault(random, functions)] : [],
  };
}

function plannedVersion(version: number, random: Random): PlannedVersion {
  const [width, height] = SHAPES[version % SHAPES.length] as [number, number];
  const kind = random.weighted<ImageKind>({ jpeg: 80, png: 12, gif: 8 });
  return { version, kind, width, height, color: version };
}

function stepsOf(scenario: ScenarioKind, random: Random): Step[] {
  const first: Step = { action: 'put', version: 0, afterMs: 0 };
  switch (scenario) {
    case 'single':
    case 'duplicate':
      return [first];
    case 'reupload':
      return [first, { action: 'put', version: 1, afterMs: random.int(0, 1500) }];
    case 'outOfOrder':
      return [first, { action: 'put', version: 1, afterMs: random.int(20, 200) }];
    case 'deleteDuring':
      return [first, { action: 'delete', afterMs: random.int(0, 2500) }];
    case 'deleteThenReupload':
      return [
        first,
        { action: 'delete', afterMs: random.int(0, 1500) },
        { action: 'put', version: 1, afterMs: random.int(0, 1000) },
      ];
  }
}

function deliveriesOf(scenario: ScenarioKind, random: Random): DeliveryFault[] {
  if (scenario === 'duplicate') {
    const extraCopies = random.int(1, 2);
    const copyDelaysMs = Array.from({ length: extraCopies }, () => random.int(0, 1500));
    return [{ version: 0, extraCopies, holdMs: 0, copyDelaysMs }];
  }
  // The first version's event arrives after the second's: S3Trigger must see it as stale.
  if (scenario === 'outOfOrder')
    return [{ version: 0, extraCopies: 0, holdMs: random.int(1500, 3000), copyDelaysMs: [] }];
  return [];
}

function lambdaFault(random: Random, functions: string[]): LambdaFault {
  return {
    functionName: random.pick(functions),
    occurrence: 1,
    kind: random.chance(0.6) ? 'crash' : 'timeout',
    afterMs: random.int(0, 300),
  };
}
