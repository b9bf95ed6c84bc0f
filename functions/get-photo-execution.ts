import { NotFound } from './lib/api-errors';
import { apiHandler } from './lib/api-handler';
import { imageId } from './lib/api-input';
import { photoQueries } from './lib/aws/dynamodb-photo-queries';
import { executionReader } from './lib/aws/sfn-execution-reader';
import { executionView } from './lib/execution-timeline';
import { ownPhoto } from './lib/photo-view';

/** GetPhotoExecution: GET /photos/{imageId}/execution, the execution's status and a timeline of its steps. */
export const handler = apiHandler('GET /photos/{imageId}/execution', async (request) => {
  const item = ownPhoto(await photoQueries().photo(imageId(request.pathParameters.imageId)), request.userId);
  if (!item) throw new NotFound('No such photo');
  const summary = item.executionArn ? await executionReader.describe(item.executionArn) : undefined;
  if (!summary) throw new NotFound('The photo has no execution yet');
  return { status: 200, body: executionView(summary, await executionReader.history(summary.executionArn)) };
});
