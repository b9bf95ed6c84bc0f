import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../errors';
import type { ImageItem } from '../image-item';
import type { StartOutcome } from '../image-store';
import { callAws } from './transient';
import { albumCountChange, cancellationCodes } from './dynamodb-album-counts';

/**
 * S3Trigger's write for an upload into an album folder. A photo that is new to the album (no item, or only the
 * tombstone of an older delete) is created in one transaction with the album's +1; a re-upload of a live photo
 * replaces its item and leaves the count alone; a duplicate or older event writes nothing. Each write is
 * conditional on what the previous attempt found, so a concurrent change only costs another round.
 */
const MAX_ROUNDS = 5;

export async function startInAlbum(
  documents: DynamoDBDocumentClient,
  imageTable: string,
  albumTable: string,
  item: ImageItem & { albumId: string },
  now: Date,
): Promise<StartOutcome> {
  const order = { ':order': item.sequencerOrder };
  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    try {
      await callAws('Recording a new photo of the album', () =>
        documents.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: imageTable,
                  Item: item,
                  ConditionExpression:
                    'attribute_not_exists(imageId) OR (attribute_not_exists(userId) AND sequencerOrder < :order)',
                  ExpressionAttributeValues: order,
                },
              },
              albumCountChange(albumTable, item.userId, item.albumId, 1, now),
            ],
          }),
        ),
      );
      return 'started';
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes || !['ConditionalCheckFailed', 'TransactionConflict'].includes(codes[0] ?? '')) throw error;
    }
    try {
      await callAws('Recording a re-upload', () =>
        documents.send(
          new PutCommand({
            TableName: imageTable,
            Item: item,
            ConditionExpression: 'attribute_exists(userId) AND sequencerOrder < :order',
            ExpressionAttributeValues: order,
          }),
        ),
      );
      return 'started';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const current = await callAws('Reading the item', () =>
      documents.send(
        new GetCommand({
          TableName: imageTable,
          Key: { imageId: item.imageId },
          ProjectionExpression: 'sequencerOrder',
          ConsistentRead: true,
        }),
      ),
    );
    const currentOrder = current.Item?.sequencerOrder as string | undefined;
    if (currentOrder === item.sequencerOrder) return 'duplicate';
    if (currentOrder !== undefined && currentOrder > item.sequencerOrder) return 'stale';
  }
  throw new TransientError(`The item of ${item.key} kept changing while the upload was recorded`);
}
