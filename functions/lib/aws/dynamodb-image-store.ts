import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UploadSuperseded } from '../errors';
import { albumKeyOf, type ImageItem, type UploadRef } from '../image-item';
import type { ImageMetadata } from '../image-metadata';
import type { FinishDetails, ImageStore, StartOutcome } from '../image-store';
import { sequencerOrder } from '../sequencer';
import { callAws } from './transient';
import { startInAlbum } from './dynamodb-upload-in-album';

/**
 * ImageStore on one DynamoDB table. The ownership rule: an item belongs to the upload whose sequencer it holds.
 * Given the AlbumMetadata table, an upload into an album also counts the album's photos (dynamodb-upload-in-album.ts).
 */
export class DynamoImageStore implements ImageStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly albumTableName?: string,
  ) {}

  async startProcessing(upload: UploadRef, executionArn: string, now: Date): Promise<StartOutcome> {
    const item: ImageItem = {
      ...identityOf(upload),
      status: 'PROCESSING',
      executionArn,
      uploadedAt: upload.eventTime,
      updatedAt: now.toISOString(),
      ...(upload.sizeBytes === undefined ? {} : { sizeBytes: upload.sizeBytes }),
    };
    if (this.albumTableName && item.albumId !== undefined) {
      return startInAlbum(this.documents, this.tableName, this.albumTableName, { ...item, albumId: item.albumId }, now);
    }
    try {
      await callAws('Recording the upload', () =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(imageId) OR sequencerOrder < :order',
            ExpressionAttributeValues: { ':order': item.sequencerOrder },
          }),
        ),
      );
      return 'started';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.currentOrder(upload.imageId);
      return existing === item.sequencerOrder ? 'duplicate' : 'stale';
    }
  }

  async saveMetadata(upload: UploadRef, metadata: ImageMetadata, now: Date): Promise<void> {
    await this.update(upload, now, metadataFields(metadata), 'Storing the metadata');
  }

  async finish(
    upload: UploadRef,
    status: 'SUCCEEDED' | 'UNSUPPORTED' | 'FAILED',
    details: FinishDetails,
    now: Date,
  ): Promise<void> {
    const { metadata, ...found } = details;
    const fields: Record<string, unknown> = { status, ...(metadata ? metadataFields(metadata) : {}), ...found };
    await this.update(upload, now, fields, `Recording status ${status}`);
  }

  /**
   * Upserts the identity fields plus `fields`, but only while the item still belongs to this upload
   * (or does not exist yet, e.g. an execution started by hand without S3Trigger).
   */
  private async update(upload: UploadRef, now: Date, fields: Record<string, unknown>, description: string) {
    const all: Record<string, unknown> = { ...identityOf(upload), ...fields, updatedAt: now.toISOString() };
    delete all.imageId;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':order': sequencerOrder(upload.sequencer) };
    const assignments = Object.entries(all)
      .filter(([, value]) => value !== undefined)
      .map(([field, value], index) => {
        names[`#f${index}`] = field;
        values[`:v${index}`] = value;
        return `#f${index} = :v${index}`;
      });
    names['#order'] = 'sequencerOrder';
    // An item created here (no S3Trigger before it) still needs the index sort key; an existing one keeps its own.
    if (!('uploadedAt' in all)) {
      names['#uploadedAt'] = 'uploadedAt';
      values[':eventTime'] = upload.eventTime;
      assignments.push('#uploadedAt = if_not_exists(#uploadedAt, :eventTime)');
    }
    try {
      await callAws(description, () =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { imageId: upload.imageId },
            UpdateExpression: `SET ${assignments.join(', ')}`,
            ConditionExpression: 'attribute_not_exists(imageId) OR #order = :order',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new UploadSuperseded(upload.key, upload.sequencer);
      throw error;
    }
  }

  private async currentOrder(imageId: string): Promise<string | undefined> {
    const result = await callAws('Reading the item', () =>
      this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { imageId },
          ProjectionExpression: 'sequencerOrder',
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item?.sequencerOrder as string | undefined;
  }
}

function identityOf(upload: UploadRef) {
  return {
    imageId: upload.imageId,
    bucket: upload.bucket,
    key: upload.key,
    userId: upload.userId,
    ...(upload.albumId === undefined
      ? {}
      : { albumId: upload.albumId, albumKey: albumKeyOf(upload.userId, upload.albumId) }),
    fileName: upload.fileName,
    sequencer: upload.sequencer,
    sequencerOrder: sequencerOrder(upload.sequencer),
  };
}

function metadataFields(metadata: ImageMetadata): Record<string, unknown> {
  const { format, width, height, orientation, sizeBytes, exif, gps, uploadedAt } = metadata;
  return { format, width, height, orientation, sizeBytes, exif, gps, uploadedAt };
}
