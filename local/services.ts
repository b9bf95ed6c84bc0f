import path from 'node:path';
import { startDynamoDbService, type DynamoDbService } from './dynamodb/dynamodb-service';
import { createEventBus, type EventBus, type EventBusOptions } from './events/event-bus';
import { startFrontDoor, type FrontDoor } from './frontdoor/front-door';
import { objectEvent, Sequencers } from './events/s3-object-events';
import { createLambdaRuntime, type LambdaRuntime } from './lambda/runtime';
import type { StackLog } from './log';
import { createRekognitionApi, type RekognitionApi } from './recognition-api';
import { startS3Service, type S3Service } from './s3/s3-service';
import { SnsService } from './sns/sns-service';
import { SqsQueues } from './sqs/queues';
import { publishFromTask } from './sns/sns-task';
import type { LocalStackOptions } from './stack';
import type { StackModel } from './stack-model';
import { createStepFunctionsService, type StepFunctionsService } from './stepfunctions/service';
import { statusChangeEvent } from './stepfunctions/status-events';

/**
 * The emulated services of one stack, started from its model in dependency order (Lambda, then the event bus that
 * invokes it, then S3 whose changes feed the bus, DynamoDB, Step Functions) and stopped in the reverse.
 */
export interface Services {
  s3: S3Service;
  dynamodb: DynamoDbService;
  states: StepFunctionsService;
  lambda: LambdaRuntime;
  bus: EventBus;
  /** The template's SNS topics (local/sns/). */
  sns: SnsService;
  /** The template's SQS queues (local/sqs/): where undeliverable events and failed asynchronous invocations land. */
  sqs: SqsQueues;
  /** Absent when the stack runs with recognition off. */
  rekognition?: RekognitionApi;
  /** The user pool's provider (/_auth) and the HTTP API (/_api), from the template. */
  frontDoor: FrontDoor;
}

export async function startServices(
  model: StackModel,
  dataDir: string,
  options: LocalStackOptions,
  env: NodeJS.ProcessEnv,
  log: StackLog,
): Promise<Services> {
  const lambda = createLambdaRuntime({
    functions: model.functions,
    identity: model.identity,
    log,
    mode: options.lambdaMode ?? 'source',
    ...(options.bundleDir ? { bundleDir: options.bundleDir } : {}),
    ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const sqs = new SqsQueues(model.queues, dataDir);
  const bus = createEventBus({
    rules: model.rules,
    invoke: (name, event) => lambda.invoke(name, event),
    log,
    deadLetterFile: path.join(dataDir, 'dead-letters.jsonl'),
    journalFile: path.join(dataDir, 'events', 'deliveries.jsonl'),
    deadLetterQueue: deadLetterQueueOf(model, sqs),
    ...(options.eventRetryDelayMs !== undefined ? { retryDelayMs: () => options.eventRetryDelayMs as number } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const started: { close(): Promise<void> }[] = [];
  try {
    const s3 = await startS3(model, dataDir, bus, log);
    started.push(s3);
    const dynamodb = await startDynamoDbService({
      directory: path.join(dataDir, 'dynamodb'),
      tables: model.tables,
      region: model.identity.region,
      log,
    });
    started.push(dynamodb);
    const sns = new SnsService({ topics: model.topics, dataDir, endpoint: model.identity.endpoint, log });
    const states = startStepFunctions(model, dataDir, { lambda, sns, bus }, options, env, log);
    const frontDoor = await startFrontDoor({
      model,
      port: Number(new URL(model.identity.endpoint).port),
      dataDir,
      invoke: (name, event) => lambda.invoke(name, event),
      emailSubscriptions: () => sns.subscriptions().filter((item) => item.protocol.startsWith('email')).length,
      log: (source, line) => log.line(source, line),
    });
    return {
      sns,
      sqs,
      s3,
      dynamodb,
      states,
      lambda,
      bus,
      ...(options.recognition === false
        ? {}
        : { rekognition: createRekognitionApi((bucket, key, version) => s3.readObject(bucket, key, version), log) }),
      frontDoor,
    };
  } catch (error) {
    for (const service of started.reverse()) await service.close().catch(() => undefined);
    await lambda.close();
    throw error;
  }
}

/** Resolves when no event is being delivered and no execution runs, and nothing new started meanwhile. */
export async function servicesIdle({ bus, states, sns }: Services): Promise<void> {
  for (let round = 0; round < 100; round += 1) {
    await bus.drain();
    await states.idle();
    await sns.idle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const quiet = await Promise.race([
      bus.drain().then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 10)),
    ]);
    if (quiet) {
      await states.idle();
      return;
    }
  }
}

/** Stops what makes work first (deliveries, executions, sandboxes), then closes the endpoint, then the stores. */
export async function stopServices(services: Services, closeEndpoint: () => Promise<void>): Promise<void> {
  services.bus.close();
  await services.states.close();
  await services.lambda.close();
  await closeEndpoint();
  await services.s3.close();
  await services.dynamodb.close();
  await services.rekognition?.close();
}

/**
 * Where the bus dead-letters an event, as AWS would: after a function error, the target function's DeadLetterQueue
 * (Lambda's asynchronous retries ran out), else the rule's DeadLetterConfig; undefined when neither is a queue of the
 * template (the bus then keeps the event in dead-letters.jsonl).
 */
function deadLetterQueueOf(model: StackModel, sqs: SqsQueues): EventBusOptions['deadLetterQueue'] {
  return ({ rule, functionError, body, attributes }) => {
    const fn = model.functions.find((candidate) => candidate.name === rule.target);
    const arn = (functionError ? fn?.deadLetterArn : undefined) ?? rule.deadLetterArn;
    if (!arn || !sqs.has(arn)) return undefined;
    sqs.send(sqs.queue(arn), body, attributes);
    return arn;
  };
}

/** S3, whose object changes in buckets with EventBridge enabled become events on the bus. */
function startS3(model: StackModel, dataDir: string, bus: EventBus, log: StackLog): Promise<S3Service> {
  const { region, accountId } = model.identity;
  const sequencers = new Sequencers();
  const eventBuckets = new Set(
    model.buckets.filter((bucket) => bucket.eventBridgeEnabled).map((bucket) => bucket.name),
  );
  return startS3Service({
    directory: path.join(dataDir, 's3'),
    buckets: model.buckets,
    region,
    log,
    onChange(change) {
      if (!eventBuckets.has(change.bucket)) return;
      bus.put(objectEvent(change, sequencers.next(change.bucket, change.key), region, accountId));
    },
  });
}

function startStepFunctions(
  model: StackModel,
  dataDir: string,
  { lambda, sns, bus }: { lambda: LambdaRuntime; sns: SnsService; bus: EventBus },
  options: LocalStackOptions,
  env: NodeJS.ProcessEnv,
  log: StackLog,
): StepFunctionsService {
  const retryFromEnv = env.LOCAL_SFN_RETRY_INTERVAL_MS ? Number(env.LOCAL_SFN_RETRY_INTERVAL_MS) : undefined;
  const retryIntervalMs = options.retryIntervalMs ?? retryFromEnv;
  return createStepFunctionsService({
    directory: path.join(dataDir, 'stepfunctions'),
    region: model.identity.region,
    accountId: model.identity.accountId,
    templateMachines: model.stateMachines,
    invoke: (name, payload) => lambda.invokeOrThrow(name, payload),
    publish: (parameters) => publishFromTask(sns, parameters),
    onStatusChange: (record) =>
      bus.putAndSettle(statusChangeEvent(record, model.identity.region, model.identity.accountId)),
    log,
    ...(env.SFN_MOCK_CONFIG ? { mockConfigPath: path.resolve(env.SFN_MOCK_CONFIG) } : {}),
    ...(retryIntervalMs !== undefined ? { retryIntervalMs } : {}),
  });
}
