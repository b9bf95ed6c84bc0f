/**
 * aws-local-stepfunctions 3 targets Node 22 and calls Promise.withResolvers, which Node 20 lacks: without this,
 * every Task fails with an ordinary-looking task error. Import this module before the engine.
 */
type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

const PromiseConstructor = Promise as unknown as { withResolvers?: WithResolvers };
if (typeof PromiseConstructor.withResolvers !== 'function') {
  PromiseConstructor.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};
