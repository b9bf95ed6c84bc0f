import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { clientOptions } from './client-options';
import { traced } from './tracer';

let client: RekognitionClient | undefined;

/** Created on first use, once per container, traced (./tracer.ts). */
export function rekognitionClient(): RekognitionClient {
  client ??= traced(new RekognitionClient(clientOptions));
  return client;
}
