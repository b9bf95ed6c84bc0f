'use strict';
/**
 * One Lambda sandbox: a child process whose process.env is the function's template environment, started by
 * sandbox.ts with its settings as argv[2] (JSON). It loads the handler module once (the cold start) and then runs one
 * invocation at a time, as a Lambda execution environment does, talking to the stack over the IPC channel. Its own
 * process, so that its resident memory can be held to MemorySize as Lambda holds it. Plain CommonJS so it runs
 * without a loader; TypeScript sources are loaded through tsx.
 */
const { readFileSync } = require('node:fs');

// The SDK warns every sandbox that Node 20 support ends; Lambda runs the template's nodejs22.x, so the warning is noise here.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning && warning.message;
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0] && rest[0].type;
  if (
    type === 'NodeVersionSupportWarning' ||
    (warning && warning.name === 'NodeVersionSupportWarning') ||
    /require node >=22/.test(String(text))
  )
    return;
  emitWarning(warning, ...rest);
};

const { file, exportName, functionName, functionArn, memoryMb, logGroupName, typescript } = JSON.parse(process.argv[2]);
const send = (message) => process.connected && process.send(message);
// The stack went away (stopped or crashed): a sandbox has nobody to answer.
process.on('disconnect', () => process.exit());

function errorRecord(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name || fallbackType,
      errorMessage: error.message,
      trace: String(error.stack || '').split('\n'),
    };
  }
  return {
    errorType: fallbackType,
    errorMessage: typeof error === 'string' ? error : JSON.stringify(error),
    trace: [],
  };
}

/** The highest resident memory of this process so far (the kernel's VmHWM; getrusage's where /proc is missing). */
function peakRssKb() {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}

// As Lambda's Node.js runtime: an error nothing caught ends the sandbox, and the invocation reports it.
process.on('uncaughtException', (error) => {
  send({ type: 'crash', error: errorRecord(error, 'Runtime.UncaughtException') });
  process.exitCode = 129;
  process.disconnect();
});
process.on('unhandledRejection', (reason) => {
  const record = errorRecord(reason, 'Runtime.UnhandledPromiseRejection');
  send({ type: 'crash', error: { ...record, errorType: 'Runtime.UnhandledPromiseRejection' } });
  process.exitCode = 128;
  process.disconnect();
});

let handler;
try {
  if (typescript) require('tsx/cjs/api').register();
  const loaded = require(file);
  handler = loaded[exportName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${file} does not export a function named ${exportName}`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  send({ type: 'ready' });
} catch (error) {
  const record = errorRecord(error, 'Runtime.ImportModuleError');
  if (record.errorType === 'Error') record.errorType = 'Runtime.ImportModuleError';
  send({ type: 'init-error', error: record });
}

function contextFor(invocation) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: invocation.requestId,
    logGroupName,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]local`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, invocation.deadline - Date.now()),
    done: () => undefined,
    succeed: () => undefined,
    fail: () => undefined,
  };
}

function call(event, context) {
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const result = handler(event, context, (error, value) => (error ? reject(error) : resolve(value)));
      if (result && typeof result.then === 'function') result.then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

process.on('message', (message) => {
  if (message.type !== 'invoke' || !handler) return;
  process.env._X_AMZN_REQUEST_ID = message.requestId;
  const reply = (body) => send({ type: 'result', id: message.id, peakRssKb: peakRssKb(), ...body });
  let event;
  try {
    event = JSON.parse(message.event);
  } catch (error) {
    reply({ ok: false, error: errorRecord(error, 'Runtime.InvalidEvent') });
    return;
  }
  call(event, contextFor(message)).then(
    (result) => {
      let payload;
      try {
        payload = JSON.stringify(result === undefined ? null : result);
      } catch (error) {
        reply({ ok: false, error: errorRecord(error, 'Runtime.MarshalError') });
        return;
      }
      reply({ ok: true, payload });
    },
    (error) => reply({ ok: false, error: errorRecord(error, 'Error') }),
  );
});
