import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { albumNameForFolder } from '../albums';

/**
 * An album's photoCount changes only inside the transaction that creates or removes a photo's item
 * (TransactWriteItems), so the count cannot drift from the items, whatever the order or repetition of events.
 */
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * +1 for a new photo: the album is created when the folder has none (named after the folder). -1 for a removed
 * photo, only while the album exists with a positive count: the caller records the removal alone otherwise.
 */
export function albumCountChange(
  albumTable: string,
  userId: string,
  albumId: string,
  delta: 1 | -1,
  now: Date,
): TransactItem {
  const Key = { userId, albumId };
  if (delta === 1) {
    return {
      Update: {
        TableName: albumTable,
        Key,
        UpdateExpression:
          'SET #name = if_not_exists(#name, :name), createdAt = if_not_exists(createdAt, :createdAt) ADD photoCount :delta',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: {
          ':name': albumNameForFolder(albumId),
          ':createdAt': now.toISOString(),
          ':delta': 1,
        },
      },
    };
  }
  return {
    Update: {
      TableName: albumTable,
      Key,
      UpdateExpression: 'ADD photoCount :delta',
      ConditionExpression: 'photoCount > :zero',
      ExpressionAttributeValues: { ':delta': -1, ':zero': 0 },
    },
  };
}

/**
 * Why each action of a cancelled transaction was refused (`None` for those that were fine), or undefined when the
 * error is not a cancelled transaction.
 */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
}
