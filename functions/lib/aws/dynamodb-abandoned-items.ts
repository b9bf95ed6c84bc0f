import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { imageMetadataTableName } from '../config';
import type { ErrorRecord } from '../image-item';
import type { AbandonedItems } from '../reconcile';
import { documentClient } from './dynamodb-client';
import { callAws } from './transient';

/**
 * AbandonedItems on the ImageMetadata table: one UpdateItem conditional on the item being PROCESSING for exactly this
 * execution (S3Trigger records the execution ARN with the item), so a finished item, a newer upload's item (another
 * ARN) or a deleted photo (a tombstone, no status) is never touched. Only status, error and updatedAt change: the
 * album's count is kept by the item's existence, which this never changes.
 */
export class DynamoAbandonedItems implements AbandonedItems {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async failIfProcessing(imageId: string, executionArn: string, error: ErrorRecord, now: Date): Promise<boolean> {
    try {
      await callAws('Marking an abandoned item FAILED', () =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { imageId },
            UpdateExpression: 'SET #status = :failed, #error = :error, updatedAt = :now',
            ConditionExpression: '#status = :processing AND executionArn = :arn',
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
            ExpressionAttributeValues: {
              ':failed': 'FAILED',
              ':processing': 'PROCESSING',
              ':arn': executionArn,
              ':error': error,
              ':now': now.toISOString(),
            },
          }),
        ),
      );
      return true;
    } catch (failure) {
      if (failure instanceof ConditionalCheckFailedException) return false;
      throw failure;
    }
  }
}

let items: AbandonedItems | undefined;

/** The AbandonedItems of this container: the table named by IMAGE_METADATA_TABLE. */
export function abandonedItems(): AbandonedItems {
  items ??= new DynamoAbandonedItems(documentClient(), imageMetadataTableName());
  return items;
}
