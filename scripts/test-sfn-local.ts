import { imageProcessingDefinition } from '../test/support/asl-definition';
import { loadExpectations } from '../test/statemachine/sfn-local/expectations';
import { resolveTarget } from '../test/statemachine/sfn-local/resolve-target';
import { runSuite, summary } from '../test/statemachine/sfn-local/suite';

/**
 * npm run test:sfn-local [-- TestCase ...]
 * Runs every test case of statemachine/test/MockConfigFile.json on the ImageProcessing state machine and checks
 * statemachine/test/expectations.json (status, error, states entered, retries against the ASL's Retry).
 * Targets the local stack; SFN_LOCAL_ENDPOINT=http://localhost:8083 a running Step Functions Local, and
 * SFN_SUITE_TARGET=in-process aws-local-stepfunctions in this process. See docs/sfn-local.md.
 */
async function main(): Promise<number> {
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const verbose = process.argv.includes('--verbose');
  const { definition } = imageProcessingDefinition();
  const target = await resolveTarget(process.env, { verbose });
  console.log(`Step Functions Local suite on ${target.description}`);
  try {
    const result = await runSuite({
      target,
      definition,
      expectations: loadExpectations(),
      ...(only.length > 0 ? { only } : {}),
      log: (line) => console.log(line),
    });
    if (verbose) {
      for (const { testCase, observed } of result.cases) console.log(testCase, JSON.stringify(observed));
    }
    console.log(summary(result));
    return result.failed === 0 && result.passed > 0 ? 0 : 1;
  } finally {
    await target.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
