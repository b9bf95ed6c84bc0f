import type { InvokeOutcome } from '../lambda/outcome';
import type { FunctionModel } from '../stack-model';
import type { LambdaFault } from './plan';

/**
 * An invocation the faults run cuts short `afterMs` into it: a crash ends its sandbox (worker thread or process,
 * whichever the runtime uses) so the invocation fails as Lambda reports a runtime that exited; a timeout answers
 * Lambda's `Sandbox.Timedout` at once and discards the sandbox, as Lambda does when a function passes its Timeout,
 * without waiting the function's whole Timeout. Whatever the handler had already written stays written. An
 * invocation that ends before `afterMs` is left alone.
 */
export function cutShort(
  running: Promise<InvokeOutcome>,
  fault: Pick<LambdaFault, 'kind' | 'afterMs'>,
  context: { fn: FunctionModel; requestId: string; started: number; kill: () => void },
): Promise<InvokeOutcome> {
  const { fn, requestId, started, kill } = context;
  return new Promise<InvokeOutcome>((resolve) => {
    const timer = setTimeout(() => {
      kill();
      if (fault.kind === 'crash') return;
      resolve({
        ok: false,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
          trace: [],
        },
        requestId,
        durationMs: Date.now() - started,
      });
    }, fault.afterMs);
    void running.then((outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}
