import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  UpdateStateMachineCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { AslDefinition } from '../../support/asl-definition';

/**
 * Where the suite runs its executions. Everything it needs is four calls of the Step Functions API, so a real Step
 * Functions Local, LocalStack, the project's local stack and the in-process runner are interchangeable.
 */
export interface SfnTarget {
  /** What the summary prints, e.g. "Step Functions Local at http://localhost:8083". */
  readonly description: string;
  /** Creates the state machine, or replaces the definition of the one with that name; answers its ARN. */
  deployStateMachine(name: string, definition: AslDefinition): Promise<string>;
  /** StartExecution on `<stateMachineArn>#<testCase>`; answers the execution ARN. */
  startTestCase(stateMachineArn: string, testCase: string, input: unknown): Promise<string>;
  /** Waits until the execution is no longer RUNNING and answers its full history. */
  history(executionArn: string): Promise<HistoryEvent[]>;
  close(): Promise<void>;
}

export interface ApiTarget extends SfnTarget {
  /** Whether the endpoint answers the Step Functions API at all (ListStateMachines). */
  answers(): Promise<boolean>;
}

/** Step Functions Local ignores the role, but the API requires one. */
const DUMMY_ROLE = 'arn:aws:iam::123456789012:role/DummyRole';

export interface ApiTargetOptions {
  endpoint: string;
  description?: string;
  /** Longest wait for one execution. */
  timeoutMs?: number;
  onClose?: () => Promise<void>;
}

export function sfnApiTarget(options: ApiTargetOptions, client = apiClient(options.endpoint)): ApiTarget {
  // Engines that really wait (LocalStack, Step Functions Local) spend up to 150 s in the throttling retries of one
  // step (8 attempts, capped at 30 s: RecordFailureThrottled), more where they ignore the jitter.
  const timeoutMs = options.timeoutMs ?? 300_000;
  let counter = 0;
  return {
    description: options.description ?? `Step Functions API at ${options.endpoint}`,
    async answers() {
      try {
        await client.send(new ListStateMachinesCommand({ maxResults: 1 }));
        return true;
      } catch {
        return false;
      }
    },
    async deployStateMachine(name, definition) {
      const text = JSON.stringify(definition);
      try {
        const created = await client.send(
          new CreateStateMachineCommand({ name, definition: text, roleArn: DUMMY_ROLE, type: 'STANDARD' }),
        );
        return created.stateMachineArn as string;
      } catch (error) {
        // Same name, another definition (a re-run after an ASL edit, or the mutated copies): replace it.
        if (!(error instanceof StateMachineAlreadyExists)) throw error;
        const arn = await findStateMachine(client, name);
        await client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: text }));
        return arn;
      }
    },
    async startTestCase(stateMachineArn, testCase, input) {
      counter += 1;
      const name = `${testCase}-${Date.now()}-${counter}`.slice(-80);
      const started = await client.send(
        new StartExecutionCommand({
          stateMachineArn: `${stateMachineArn}#${testCase}`,
          name,
          input: JSON.stringify(input),
        }),
      );
      return started.executionArn as string;
    },
    async history(executionArn) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status } = await client.send(new DescribeExecutionCommand({ executionArn }));
        if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') break;
        if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    },
    async close() {
      client.destroy();
      await options.onClose?.();
    },
  };
}

export function apiClient(endpoint: string): SFNClient {
  return new SFNClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
    maxAttempts: 2,
  });
}

async function findStateMachine(client: SFNClient, name: string): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ nextToken }));
    const found = page.stateMachines?.find((machine) => machine.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new Error(`State machine ${name} exists but ListStateMachines does not show it`);
}
