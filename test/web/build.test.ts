import { expect } from 'chai';
import { buildWebApp, CACHE_IMMUTABLE, CACHE_REVALIDATE, type WebFile } from '../../web/build/build-app';

describe('web app build (esbuild)', function () {
  this.timeout(60000);
  let files: WebFile[];
  before(async () => {
    files = await buildWebApp();
  });
  const text = (file: WebFile) => Buffer.from(file.contents).toString('utf8');

  it('writes index.html pointing at content-hashed script and stylesheet of the same build', () => {
    const index = files.find((file) => file.path === 'index.html');
    expect(index).to.include({ contentType: 'text/html; charset=utf-8', cacheControl: CACHE_REVALIDATE });
    const html = text(index as WebFile);
    const script = /<script type="module" src="\.\/(main-[A-Z0-9]+\.js)"><\/script>/.exec(html)?.[1];
    const style = /<link rel="stylesheet" href="\.\/(main-[A-Z0-9]+\.css)" \/>/.exec(html)?.[1];
    expect(script, html).to.be.a('string');
    expect(style, html).to.be.a('string');
    expect(files.find((file) => file.path === script)).to.include({
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: CACHE_IMMUTABLE,
    });
    expect(files.find((file) => file.path === style)).to.include({ contentType: 'text/css; charset=utf-8' });
  });

  it('marks every file but index.html immutable, each with a content type', () => {
    for (const file of files.filter((each) => each.path !== 'index.html')) {
      expect(file.path, file.path).to.match(/-[A-Z0-9]{8}\.(js|css|map|js\.map|css\.map)$/);
      expect(file.cacheControl).to.equal(CACHE_IMMUTABLE);
      expect(file.contentType).not.to.equal('application/octet-stream');
    }
  });

  it('bundles React in production mode and names no path of this machine', () => {
    const script = files.find((file) => file.path.endsWith('.js')) as WebFile;
    const code = text(script);
    expect(code).to.include('.well-known/openid-configuration');
    expect(code).not.to.include('react.development');
    expect(code).not.to.include(process.cwd());
    const map = JSON.parse(text(files.find((file) => file.path.endsWith('.js.map')) as WebFile)) as {
      sources: string[];
    };
    expect(map.sources.some((source) => source.endsWith('web/src/app.tsx'))).to.equal(true);
    expect(map.sources.filter((source) => source.startsWith('/'))).to.deep.equal([]);
  });
});
