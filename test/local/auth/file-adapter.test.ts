import { expect } from 'chai';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileAdapter } from '../../../local/auth/file-adapter';
import { tempDir } from '../../support/test-stack';

/** oidc-provider's storage in the data folder: what a restart must keep, and what must expire. */
describe('provider file adapter', () => {
  let dir: string;
  let now: number;
  beforeEach(() => {
    dir = tempDir('adapter-');
    now = 1_000_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const open = () => fileAdapter(path.join(dir, 'store.json'), () => now).adapter;

  it('keeps entries across a reopen (a restart) and forgets them when they expire', async () => {
    const Session = open();
    await new Session('Session').upsert('s1', { uid: 'u1', accountId: 'a' }, 60);
    const reopened = new (open())('Session');
    expect(await reopened.find('s1')).to.deep.equal({ uid: 'u1', accountId: 'a' });
    expect(await reopened.findByUid('u1')).to.deep.equal({ uid: 'u1', accountId: 'a' });
    now += 61_000;
    expect(await reopened.find('s1')).to.equal(undefined);
    expect(await new (open())('Session').find('s1')).to.equal(undefined);
  });

  it('keeps models apart, marks consumed codes, destroys and revokes by grant', async () => {
    const Adapter = open();
    const codes = new Adapter('AuthorizationCode');
    const tokens = new Adapter('RefreshToken');
    await codes.upsert('x', { grantId: 'g1' }, 300);
    await tokens.upsert('x', { grantId: 'g1' }, 300);
    await tokens.upsert('y', { grantId: 'g2' }, 300);
    await codes.consume('x');
    expect(await codes.find('x')).to.deep.include({ grantId: 'g1', consumed: 1000 });
    await tokens.revokeByGrantId('g1');
    expect(await tokens.find('x')).to.equal(undefined);
    expect(await codes.find('x')).to.equal(undefined);
    expect(await tokens.find('y')).to.deep.equal({ grantId: 'g2' });
    await tokens.destroy('y');
    expect(await new (open())('RefreshToken').find('y')).to.equal(undefined);
  });
});
