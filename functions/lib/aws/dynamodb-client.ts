import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from './client-options';
import { traced } from './tracer';

let client: DynamoDBDocumentClient | undefined;

/** Created on first use, once per container, traced (./tracer.ts) under the document client. Nested items (exif, gps, labels) marshal as maps and lists. */
export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(traced(new DynamoDBClient(clientOptions)), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return client;
}
