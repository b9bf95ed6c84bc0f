import '../../../local/stepfunctions/lambda-integration';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { handler as completeProcessing } from '../../../functions/complete-processing';
import { handler as convertImage } from '../../../functions/convert-image';
import { handler as detectFaces } from '../../../functions/detect-faces';
import { handler as detectLabels } from '../../../functions/detect-labels';
import { handler as detectModerationLabels } from '../../../functions/detect-moderation-labels';
import { handler as extractImageMetadata } from '../../../functions/extract-image-metadata';
import { handler as generateThumbnail } from '../../../functions/generate-thumbnail';
import { handler as recordFailure } from '../../../functions/record-failure';
import { handler as recordUnsupported } from '../../../functions/record-unsupported';
import { handler as s3Trigger } from '../../../functions/s3-trigger';
import { handler as storeImageMetadata } from '../../../functions/store-image-metadata';
import type { UploadRef } from '../../../functions/lib/image-item';
import { lambdaTaskHandlers } from '../../../local/stepfunctions/lambda-integration';
import { observe, type ObservedCase } from '../sfn-local/expectations';
import { toHistory } from '../sfn-local/in-process-target';
import { AwsMocks, STATE_MACHINE_ARN } from '../../support/aws-mocks';
import { allStates, imageProcessingDefinition, type ImageProcessingDefinition } from '../../support/asl-definition';
import { FakeSnsPublish } from './sns-publish';

export { awsError, eventFixture, fixtureImage, transactionCancelled, uploadFor } from '../../support/aws-mocks';

/**
 * The real ImageProcessing ASL on aws-local-stepfunctions with every Task bound to the real handler in functions/,
 * over the AwsMocks stubs: what an execution in AWS would do, minus the network.
 */
export const HANDLERS: Record<string, (event: unknown) => Promise<unknown>> = {
  ExtractImageMetadata: extractImageMetadata,
  RecordUnsupported: recordUnsupported,
  StoreImageMetadata: storeImageMetadata,
  ConvertImage: convertImage,
  DetectLabels: detectLabels,
  DetectFaces: detectFaces,
  DetectModerationLabels: detectModerationLabels,
  GenerateThumbnail: generateThumbnail,
  CompleteProcessing: completeProcessing,
  RecordFailure: recordFailure,
  S3Trigger: (event) => s3Trigger(event),
};

export interface WorkflowRun extends ObservedCase {
  history: HistoryEvent[];
  output?: unknown;
}

export class Workflow extends AwsMocks {
  readonly definition: ImageProcessingDefinition = imageProcessingDefinition();
  /** What the sns:publish Task states (NotifyResult) published. */
  readonly sns = new FakeSnsPublish();
  private readonly machine: StateMachine;
  private counter = 0;

  constructor() {
    super();
    this.machine = new StateMachine(this.definition.definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    });
  }

  override reset(): void {
    super.reset();
    this.sns?.reset();
  }

  /** Puts `bytes` at the upload's key and runs one execution on { upload }, as S3Trigger starts it. */
  async process(upload: UploadRef, bytes: Uint8Array | undefined): Promise<WorkflowRun> {
    if (bytes) this.objects.set(upload.key, bytes);
    return this.execute({ upload: { ...upload, ...(bytes ? { sizeBytes: bytes.byteLength } : {}) } });
  }

  async execute(input: unknown): Promise<WorkflowRun> {
    this.counter += 1;
    const executionArn = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:test-${this.counter}`;
    const { functionOfArn, definition } = this.definition;
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = lambdaTaskHandlers(
      definition,
      async (functionName, payload) => {
        const logicalId = functionOfArn[functionName];
        const handler = logicalId ? HANDLERS[logicalId] : undefined;
        if (!handler) throw new Error(`No function behind ${functionName}`);
        return handler(payload);
      },
    );
    for (const { name, state } of allStates(definition)) {
      if (state.Type === 'Task' && state.Resource === 'arn:aws:states:::sns:publish') handlers[name] = this.sns.publish;
    }
    const noWaits = Object.fromEntries(
      allStates(definition)
        .filter(({ state }) => state.Retry)
        .map(({ name }) => [name, 0]),
    );
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: noWaits },
      context: { Execution: { Id: executionArn, Input: input as never, StartTime: new Date().toISOString() } },
    });
    let output: unknown;
    execution.result.then(
      (value) => (output = value),
      () => undefined,
    );
    const log: Parameters<typeof toHistory>[0] = [];
    for await (const event of execution.eventLogs) log.push(event as (typeof log)[number]);
    const history = toHistory(log, definition);
    return { ...observe(history), history, output };
  }
}
