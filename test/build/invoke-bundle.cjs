'use strict';
/**
 * Child process that stands in for the Lambda Node.js runtime: it loads one built bundle with nothing but the
 * environment it was given, calls the exported handler once with the event it receives over IPC, and sends
 * back the result or the error's name and message (what Lambda reports as errorType / errorMessage), with the
 * Node version and architecture it ran on.
 */
process.once('message', ({ bundle, handler, event, functionName }) => {
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]bundle-test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30000,
  };
  const runtime = `${process.version} ${process.arch}`;
  const reply = (message) => process.send({ ...message, runtime }, () => process.exit(0));
  Promise.resolve()
    .then(() => require(bundle)[handler](event, context))
    .then(
      (result) => reply({ ok: true, result }),
      (error) => reply({ ok: false, error: { name: error && error.name, message: error && error.message } }),
    );
});
