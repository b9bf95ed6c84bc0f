import path from 'node:path';
import { integerOption, parseArgs, quietNodeVersionWarning, stringOption, UsageError } from './args';
import { exposureWarning } from '../security/hosts';
import { OldS3Layout } from '../s3/store-layout';
import { DataFolderInUse, DEFAULT_PORT, PortInUse, startLocalStack } from '../stack';
import { TemplateError } from '../stack-model';
import { inboxFile } from '../inbox';

/**
 * npm start -- [--port N] [--host ADDRESS] [--allow-host NAME[,NAME]] [--data-dir DIR]: the local stack in the
 * foreground; Ctrl-C stops it.
 */
async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ['port', 'host', 'allow-host', 'data-dir', 'template'], flags: ['help'] });
  if (args.options.help) {
    process.stdout.write(
      'Usage: npm start -- [--port 4566] [--host 127.0.0.1] [--allow-host NAME[,NAME]] [--data-dir .local-data/<port>] [--template template.yaml]\n',
    );
    return;
  }
  const host = stringOption(args, 'host') ?? '127.0.0.1';
  const port = integerOption(args, 'port', Number(process.env.LOCAL_STACK_PORT ?? DEFAULT_PORT));
  const dataDir = stringOption(args, 'data-dir');
  const templatePath = stringOption(args, 'template');
  const stack = await startLocalStack({
    port,
    host,
    allowedHosts: (stringOption(args, 'allow-host') ?? '').split(',').filter(Boolean),
    ...(dataDir ? { dataDir } : {}),
    ...(templatePath ? { templatePath } : {}),
    warm: true,
  });
  const { model } = stack;
  const url = `http://localhost:${stack.port}`;
  const bucket = model.buckets[0]?.name ?? '<bucket>';
  // The outputs the front door made local (HttpApiUrl, AuthIssuer, ...): where a browser or curl goes.
  const local = Object.entries(model.outputs).filter(([, output]) => output.value.startsWith(`${url}/_`));
  const api = local.find(([, output]) => output.value.startsWith(`${url}/_api`))?.[1].value;
  const listing = model.functions
    .flatMap((fn) => Object.values(fn.spec.events))
    .map((event) => event.Properties ?? {})
    .find((props) => String(props.Method).toUpperCase() === 'GET' && !String(props.Path ?? '{').includes('{'))?.Path;
  const lines = [
    '',
    `Local stack ready: ${url}  (region ${model.identity.region}, account ${model.identity.accountId}, stack ${model.identity.stackName})`,
    ...model.buckets.map((b) => `  bucket         ${b.name}`),
    ...model.tables.map((t) => `  table          ${t.name}`),
    ...model.stateMachines.map((m) => `  state machine  ${m.arn}`),
    ...model.topics.map((topic) => `  topic          ${topic.arn}  (each message is printed as [sns])`),
    `  functions      ${model.functions.map((fn) => fn.name).join(', ')}`,
    `  web app        ${url}/_app/   (sign up, create albums, upload photos, see what the workflow found)`,
    ...local.map(([name, output]) => `  ${name.padEnd(14)} ${output.value}`),
    `  data           ${shown(stack.dataDir)}`,
    `  inbox          ${shown(inboxFile(stack.dataDir))}   (e-mail the stack "sends", one JSON line each)`,
    '',
    'Try it:',
    `  aws --endpoint-url ${url} s3 cp photo.jpg s3://${bucket}/private/local-user/uploads/album/photo.jpg`,
    `  npm run -s pipeline -- --endpoint ${url} test/fixtures/images/*.jpg`,
    ...(api
      ? [
          `  curl -H "Authorization: Bearer $(npm run -s token -- --user alice --endpoint ${url})" ${api}${String(listing ?? '/')}`,
        ]
      : []),
    `  export AWS_ENDPOINT_URL=http://127.0.0.1:${stack.port}   # SDK v3 clients, unchanged (an IP host makes S3 path-style)`,
    '',
    'Ctrl-C stops the stack.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const warning = exposureWarning(host, stack.port);
  if (warning) process.stderr.write(`${warning}\n\n`);
  let signals = 0;
  const stop = () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    process.stdout.write('\nStopping...\n');
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`start: could not stop cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  // A long-running dev server reports a stray failure instead of dying with every upload in flight.
  process.on('unhandledRejection', (reason) =>
    process.stderr.write(`[stack] unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}\n`),
  );
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** A path under the current folder relative to it, any other absolute. */
function shown(file: string): string {
  return file.startsWith(process.cwd()) ? path.relative(process.cwd(), file) : file;
}

quietNodeVersionWarning();
main(process.argv.slice(2)).catch((error: unknown) => {
  const known = [UsageError, PortInUse, DataFolderInUse, TemplateError, OldS3Layout].some(
    (type) => error instanceof type,
  );
  process.stderr.write(`start: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
  process.exit(1);
});
