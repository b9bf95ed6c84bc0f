import { SFNClient } from '@aws-sdk/client-sfn';
import { clientOptions } from './client-options';
import { traced } from './tracer';

let client: SFNClient | undefined;

/** Created on first use, once per container, traced (./tracer.ts). */
export function sfnClient(): SFNClient {
  client ??= traced(new SFNClient(clientOptions));
  return client;
}
