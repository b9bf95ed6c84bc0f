import { SNSClient } from '@aws-sdk/client-sns';
import { clientOptions } from './client-options';
import { traced } from './tracer';

let client: SNSClient | undefined;

/** Created on first use, once per container, traced (./tracer.ts). */
export function snsClient(): SNSClient {
  client ??= traced(new SNSClient(clientOptions));
  return client;
}
