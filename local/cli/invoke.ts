import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildFunctions } from '../build/build-functions';
import { probe } from '../http/probe';
import { consoleLog } from '../log';
import { createLambdaRuntime } from '../lambda/runtime';
import { checkReachable, EndpointUnreachable } from '../pipeline/target';
import { DataFolderInUse, DEFAULT_PORT, PortInUse, startLocalStack, type LocalStack } from '../stack';
import { loadStackModel, TemplateError } from '../stack-model';
import { integerOption, parseArgs, quietNodeVersionWarning, stringOption, UsageError } from './args';

/**
 * npm run invoke -- <LogicalId> events/<fixture>.json [--endpoint URL] [--port N]
 * The offline `sam local invoke`: bundles the function as `sam build` would (local/build/), runs the bundle in a
 * sandbox with only its template environment against the local stack (a running one, or one started here) and
 * prints what the function answered. Function logs go to stderr.
 */
const USAGE = 'Usage: npm run -s invoke -- <LogicalId> <event.json> [--endpoint URL] [--port N] [--data-dir DIR]';

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['endpoint', 'port', 'data-dir'], flags: ['help'] });
  if (args.options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [logicalId, eventFile, ...extra] = args.positionals;
  if (!logicalId || !eventFile || extra.length > 0)
    throw new UsageError('Give one function logical id and one event file');
  if (!existsSync(eventFile)) throw new UsageError(`No such event file: ${eventFile}`);
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(eventFile, 'utf8'));
  } catch (error) {
    throw new UsageError(`${eventFile} is not JSON: ${(error as Error).message}`);
  }

  const port = integerOption(args, 'port', Number(process.env.LOCAL_STACK_PORT ?? DEFAULT_PORT));
  let endpoint = stringOption(args, 'endpoint') ?? (process.env.AWS_ENDPOINT_URL || undefined);
  let identity = { region: 'us-east-1', accountId: '000000000000', stackName: 'local' };
  let stack: LocalStack | undefined;
  if (endpoint) {
    await checkReachable(endpoint);
    identity = { ...identity, ...(await healthOf(endpoint)) };
  } else {
    const running = await healthOf(`http://127.0.0.1:${port}`);
    if (running) {
      endpoint = `http://127.0.0.1:${port}`;
      identity = { ...identity, ...running };
    }
  }

  const probe = loadStackModel({ identity: { ...identity, endpoint: endpoint ?? `http://127.0.0.1:${port}` } });
  const fn = probe.functions.find((candidate) => candidate.logicalId === logicalId);
  if (!fn)
    throw new UsageError(
      `${logicalId} is not a function of template.yaml (functions: ${probe.functions.map((f) => f.logicalId).join(', ')})`,
    );

  process.stderr.write(`Building ${logicalId}...\n`);
  const [build] = await buildFunctions({ only: [logicalId] });
  if (!build?.ok) {
    process.stderr.write(`invoke: ${logicalId} did not build:\n${build?.error ?? 'no build result'}\n`);
    return 1;
  }

  try {
    if (!endpoint) {
      const dataDir = stringOption(args, 'data-dir');
      stack = await startLocalStack({ port, ...(dataDir ? { dataDir } : {}), log: consoleLog(process.stderr) });
      endpoint = stack.endpoint;
    }
    const model = loadStackModel({ identity: { ...identity, endpoint } });
    const target = model.functions.find((candidate) => candidate.logicalId === logicalId);
    if (!target) throw new UsageError(`${logicalId} is not a function of template.yaml`);
    const runtime = createLambdaRuntime({
      functions: [target],
      identity: model.identity,
      log: consoleLog(process.stderr),
      mode: 'bundle',
      bundleDir: path.dirname(build.outDir),
    });
    process.stderr.write(
      `Invoking ${path.relative(process.cwd(), build.handlerFile)} (${target.spec.handler}) against ${endpoint}\n`,
    );
    const outcome = await runtime.invoke(target.name, event);
    await runtime.close();
    process.stderr.write(`Duration ${outcome.durationMs} ms, RequestId ${outcome.requestId}\n`);
    if (outcome.ok) {
      process.stdout.write(`${JSON.stringify(JSON.parse(outcome.payload), null, 2)}\n`);
    } else {
      process.stdout.write(`${JSON.stringify(outcome.error, null, 2)}\n`);
    }
    if (stack) {
      process.stderr.write('Waiting for what the invocation started (events, executions) to finish...\n');
      await stack.idle();
    }
    return outcome.ok ? 0 : 1;
  } finally {
    await stack?.stop();
  }
}

/** The identity of a running local stack, or undefined when nothing (or something else) answers there. */
async function healthOf(
  endpoint: string,
): Promise<{ region: string; accountId: string; stackName: string } | undefined> {
  try {
    const answer = await probe(new URL('/_local/health', endpoint), 2000);
    if (answer.status !== 200) return undefined;
    const body = JSON.parse(answer.body) as { region?: string; accountId?: string; stackName?: string };
    if (!body.region || !body.accountId || !body.stackName) return undefined;
    return { region: body.region, accountId: body.accountId, stackName: body.stackName };
  } catch {
    return undefined;
  }
}

quietNodeVersionWarning();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = [UsageError, EndpointUnreachable, PortInUse, DataFolderInUse, TemplateError].some(
      (type) => error instanceof type,
    );
    process.stderr.write(`invoke: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exit(1);
  },
);
