import { albumMetadataTableName, imageMetadataTableName } from '../config';
import type { ImageStore } from '../image-store';
import { documentClient } from './dynamodb-client';
import { DynamoImageStore } from './dynamodb-image-store';

let store: ImageStore | undefined;

/** The ImageStore of this container: the ImageMetadata table named by IMAGE_METADATA_TABLE. */
export function imageStore(): ImageStore {
  store ??= new DynamoImageStore(documentClient(), imageMetadataTableName());
  return store;
}

let countingStore: ImageStore | undefined;

/** The same store, also keeping the AlbumMetadata table's photo counts (S3Trigger). */
export function imageStoreCountingAlbums(): ImageStore {
  countingStore ??= new DynamoImageStore(documentClient(), imageMetadataTableName(), albumMetadataTableName());
  return countingStore;
}
