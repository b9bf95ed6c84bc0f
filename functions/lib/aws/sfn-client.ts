import { SFNClient } from '@aws-sdk/client-sfn';
import { clientOptions } from './client-options';

let client: SFNClient | undefined;

/** Created on first use, once per container. */
export function sfnClient(): SFNClient {
  client ??= new SFNClient(clientOptions);
  return client;
}
