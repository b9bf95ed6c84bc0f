import { expect } from 'chai';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3ObjectVersions } from '../../../functions/lib/aws/s3-object-versions';
import { clientOptions } from '../../../functions/lib/aws/client-options';
import { objectEvent, type ObjectChange } from '../../../local/events/s3-object-events';
import { objectsDeletedIn } from '../../../functions/lib/s3-events';
import { silentLog } from '../../../local/log';
import { keysOf } from '../../../local/s3/versions-and-bulk-deletes';
import { startS3Service, type S3Service } from '../../../local/s3/s3-service';

/** The local S3's ListObjectVersions and DeleteObjects events, through the SDK as the functions use it. */
describe('local S3: object versions and bulk deletes', () => {
  let service: S3Service;
  let server: http.Server;
  let s3: S3Client;
  let directory: string;
  const changes: ObjectChange[] = [];
  const put = (Key: string) => s3.send(new PutObjectCommand({ Bucket: 'photorepo', Key, Body: 'x' }));

  before(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), 's3-versions-'));
    service = await startS3Service({
      directory,
      buckets: [{ logicalId: 'PhotoRepo', name: 'photorepo', eventBridgeEnabled: true, cors: [] }],
      region: 'us-east-1',
      log: silentLog(),
      onChange: (change) => changes.push(change),
    });
    server = http.createServer((req, res) => service.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    s3 = new S3Client({
      ...clientOptions,
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'someone', secretAccessKey: 'x' },
    });
  });
  beforeEach(() => (changes.length = 0));
  after(async () => {
    s3.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await service.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('lists each object as its one, current version, by prefix, in pages', async () => {
    const written = [];
    for (const key of ['private/u/uploads/a.jpg', 'private/u/uploads/a.jpg.bak', 'private/u/uploads/b.jpg'])
      written.push(await put(key));
    const first = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'photorepo', Prefix: 'private/u/uploads/a', MaxKeys: 1 }),
    );
    expect(first.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).to.deep.equal([
      ['private/u/uploads/a.jpg', written[0]?.VersionId, true],
    ]);
    expect(first).to.include({ IsTruncated: true, NextKeyMarker: 'private/u/uploads/a.jpg' });
    const second = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: 'photorepo',
        Prefix: 'private/u/uploads/a',
        KeyMarker: first.NextKeyMarker,
      }),
    );
    expect(second.Versions?.map((v) => v.Key)).to.deep.equal(['private/u/uploads/a.jpg.bak']);
    expect(second.IsTruncated).to.equal(false);
    expect(second.DeleteMarkers ?? []).to.deep.equal([]);
  });

  it('serves the functions adapter: a current version exists, then every version is deleted', async () => {
    const versions = new S3ObjectVersions(() => s3);
    await put('private/u/uploads/c.jpg');
    changes.length = 0;
    expect(await versions.currentExists('photorepo', 'private/u/uploads/c.jpg')).to.equal(true);
    expect(await versions.deleteEveryVersion('photorepo', 'private/u/uploads/c.jpg')).to.equal(1);
    expect(await versions.currentExists('photorepo', 'private/u/uploads/c.jpg')).to.equal(false);
    expect(changes.map((c) => [c.kind, c.key, c.reason])).to.deep.equal([
      ['deleted', 'private/u/uploads/c.jpg', 'DeleteObject'],
    ]);
  });

  it('reports an "Object Deleted" change per key DeleteObjects removed, none for keys that were not there', async () => {
    const keys = ['private/u/uploads/x 1+2 & <y>.jpg', 'private/u/uploads/日本.jpg'];
    for (const key of keys) await put(key);
    changes.length = 0;
    const answer = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'photorepo',
        Delete: { Objects: [...keys, 'private/u/uploads/never.jpg'].map((Key) => ({ Key })) },
      }),
    );
    expect(answer.Deleted?.length).to.equal(3);
    expect(changes.map((c) => c.key).sort()).to.deep.equal([...keys].sort());
    const event = objectEvent(changes[0] as ObjectChange, '0065A1B2C3D4E5F801', 'us-east-1', '000000000000');
    expect(event['detail-type']).to.equal('Object Deleted');
    expect(objectsDeletedIn(event)[0]?.key).to.equal(changes[0]?.key);
  });

  it('still reports a plain DeleteObject (s3rver does that one itself)', async () => {
    await put('private/u/uploads/d.jpg');
    changes.length = 0;
    await s3.send(new DeleteObjectCommand({ Bucket: 'photorepo', Key: 'private/u/uploads/d.jpg' }));
    expect(changes.map((c) => [c.kind, c.key])).to.deep.equal([['deleted', 'private/u/uploads/d.jpg']]);
  });

  it('reads the keys of a Delete document, XML entities decoded', () => {
    expect(
      keysOf(
        '<Delete><Object><Key>a&amp;b&lt;c&gt;&#233;&#x65E5;</Key><VersionId>null</VersionId></Object><Object><Key>z</Key></Object></Delete>',
      ),
    ).to.deep.equal(['a&b<c>é日', 'z']);
  });
});
