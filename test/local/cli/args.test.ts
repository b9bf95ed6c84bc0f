import { expect } from 'chai';
import { parameterOverrides, parseArgs, UsageError } from '../../../local/cli/args';

describe('local tools: --parameter-overrides', () => {
  const overridesOf = (...argv: string[]) =>
    parameterOverrides(parseArgs(argv, { values: ['parameter-overrides'], flags: [] }));

  it('takes Name=value pairs separated by spaces, as sam deploy does', () => {
    expect(overridesOf('--parameter-overrides', 'NotificationEmail=me@example.com  DetectFaces=false')).to.deep.equal({
      NotificationEmail: 'me@example.com',
      DetectFaces: 'false',
    });
    expect(overridesOf('--parameter-overrides=ConvertFormats=')).to.deep.equal({ ConvertFormats: '' });
    expect(overridesOf()).to.deep.equal({});
  });

  it('refuses what is not a Name=value pair', () => {
    expect(() => overridesOf('--parameter-overrides', 'NotificationEmail')).to.throw(UsageError, /Name=value/);
    expect(() => overridesOf('--parameter-overrides', 'a-b=c')).to.throw(UsageError, /"a-b=c"/);
  });
});
