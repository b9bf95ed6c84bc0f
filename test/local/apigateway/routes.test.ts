import { expect } from 'chai';
import type { RouteModel } from '../../../local/apigateway/http-api-model';
import { matchRoute } from '../../../local/apigateway/routes';

/** API Gateway's route selection: the most specific route wins. */
describe('HTTP API route matching', () => {
  const route = (method: string, path: string): RouteModel => ({
    routeKey: path === '$default' ? '$default' : `${method} ${path}`,
    method,
    path,
    functionName: `${method} ${path}`,
    scopes: [],
    timeoutMs: 30_000,
    throttle: { burstLimit: 10, rateLimit: 10 },
  });
  const routes = [
    route('GET', '/photos/{imageId}'),
    route('GET', '/photos/recent'),
    route('GET', '/photos/{imageId}/execution'),
    route('DELETE', '/photos/{imageId}'),
    route('ANY', '/photos/{imageId}'),
    route('GET', '/files/{proxy+}'),
    route('GET', '/albums'),
  ];
  const chosen = (method: string, path: string, list = routes) => matchRoute(list, method, path)?.route.routeKey;

  it('fills path parameters, decoded', () => {
    expect(matchRoute(routes, 'GET', '/photos/a%20b%2Fc')).to.deep.include({ pathParameters: { imageId: 'a b/c' } });
    expect(chosen('GET', '/photos/x/execution')).to.equal('GET /photos/{imageId}/execution');
  });

  it('prefers literal segments to variables, and the method to ANY', () => {
    expect(chosen('GET', '/photos/recent')).to.equal('GET /photos/recent');
    expect(chosen('DELETE', '/photos/p1')).to.equal('DELETE /photos/{imageId}');
    expect(chosen('PATCH', '/photos/p1')).to.equal('ANY /photos/{imageId}');
  });

  it('lets a greedy variable take the rest of the path, and only when nothing more specific matches', () => {
    expect(matchRoute(routes, 'GET', '/files/a/b c.txt')).to.deep.include({ pathParameters: { proxy: 'a/b c.txt' } });
    expect(chosen('GET', '/files')).to.equal(undefined);
  });

  it('matches no route for another method, a longer path, an empty segment or a bad escape', () => {
    expect(chosen('POST', '/albums')).to.equal(undefined);
    expect(chosen('GET', '/albums/x')).to.equal(undefined);
    expect(chosen('GET', '/photos//execution')).to.equal(undefined);
    expect(chosen('GET', '/photos/%E0%A4%A')).to.equal(undefined);
  });

  it('falls back to $default', () => {
    expect(chosen('POST', '/anything', [...routes, route('ANY', '$default')])).to.equal('$default');
  });
});
