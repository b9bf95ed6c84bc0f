/**
 * oidc-provider is an ES module (Node 20.19+ and 22 load it from our CommonJS code) that warns at load time on any
 * Node release line older than 22 ("Jod"). The project runs the local stack on Node 20 too, where the provider's
 * tests pass; that one warning is dropped, every other one is printed.
 */
export async function loadProvider(): Promise<typeof import('./provider.js')> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return await import('./provider.js');
  } finally {
    console.warn = warn;
  }
}
