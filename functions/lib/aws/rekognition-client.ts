import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { clientOptions } from './client-options';

let client: RekognitionClient | undefined;

/** Created on first use, once per container. */
export function rekognitionClient(): RekognitionClient {
  client ??= new RekognitionClient(clientOptions);
  return client;
}
