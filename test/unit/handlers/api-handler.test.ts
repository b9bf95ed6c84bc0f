import { expect } from 'chai';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler as listAlbums } from '../../../functions/list-albums';
import { AwsMocks, awsError } from '../../support/aws-mocks';
import { call, expectError } from './api-helpers';

/** What every route shares (functions/lib/api-handler.ts), shown through ListAlbums. */
describe('API handler wrapper', () => {
  let aws: AwsMocks;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => {
    aws.reset();
    aws.dynamo.on(QueryCommand).resolves({ Items: [] });
  });
  after(() => aws.restore());

  it('answers JSON that no cache keeps', async () => {
    const answer = await call(listAlbums, 'list-albums.json');
    expect(answer.headers).to.deep.equal({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
  });

  it('answers 401 without verified claims and 403 for an id token, before reading anything', async () => {
    expectError(
      await call(listAlbums, 'list-albums.json', { edit: (e) => delete e.requestContext.authorizer }),
      401,
      'Unauthorized',
    );
    expectError(
      await call(listAlbums, 'list-albums.json', {
        edit: (e) => (e.requestContext.authorizer.jwt.claims.token_use = 'id'),
      }),
      403,
      'Forbidden',
    );
    expect(aws.dynamo.calls()).to.deep.equal([]);
  });

  it('answers 503 with Retry-After when AWS throttles, 500 with the request id for anything unexpected', async () => {
    aws.dynamo.on(QueryCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const busy = await call(listAlbums, 'list-albums.json');
    expectError(busy, 503, 'ServiceUnavailable');
    expect(busy.headers['retry-after']).to.equal('1');
    aws.dynamo
      .on(QueryCommand)
      .rejects(awsError('AccessDeniedException', 400, 'not authorized to perform: dynamodb:Query'));
    const failed = await call(listAlbums, 'list-albums.json');
    expectError(failed, 500, 'InternalError');
    expect(failed.json.message, 'no AWS detail leaks to the caller').to.equal(
      'The request failed (request id Kf3mXhR1IAMEVqA=)',
    );
  });
});
