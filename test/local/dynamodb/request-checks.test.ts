import { expect } from 'chai';
import { jsonDepth, MAX_PARENTHESES, refusalOf } from '../../../local/dynamodb/request-checks';

const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('requests the local DynamoDB keeps from dynalite', () => {
  it('counts JSON nesting without parsing, ignoring brackets inside strings', () => {
    expect(jsonDepth(body({ a: [{ b: '[[[{{{' }] }))).to.equal(3);
    expect(jsonDepth(body('"\\"[[[" '))).to.equal(0);
  });

  it('refuses a document nested deeper than any DynamoDB item, before anything parses it', () => {
    const deep = `{"TableName":"t","Item":{"a":${'{"M":{"a":'.repeat(5000)}{"S":"x"}${'}}'.repeat(5000)}}}`;
    expect(refusalOf(body(deep))).to.match(/Nesting Levels have exceeded supported limits/);
    const fine = { TableName: 't', Item: { a: { M: { b: { L: [{ S: 'x' }] } } } } };
    expect(refusalOf(body(fine))).to.equal(undefined);
  });

  it('refuses expressions with more nested parentheses than dynalite parses in reasonable time, and over 4 KB', () => {
    const nested = (depth: number) => `${'('.repeat(depth)}attribute_exists(a)${')'.repeat(depth)}`;
    expect(refusalOf(body({ TableName: 't', FilterExpression: nested(MAX_PARENTHESES) }))).to.match(
      /FilterExpression: the local DynamoDB \(dynalite\) parses at most 8 nested parentheses/,
    );
    expect(refusalOf(body({ TableName: 't', FilterExpression: nested(MAX_PARENTHESES - 1) }))).to.equal(undefined);
    const long = { TableName: 't', ConditionExpression: Array(500).fill('attribute_exists(a)').join(' AND ') };
    expect(refusalOf(body(long))).to.match(/Expression size has exceeded the maximum allowed size/);
    // Parentheses in values are data, not expressions.
    expect(refusalOf(body({ TableName: 't', Item: { a: { S: '('.repeat(50) } } }))).to.equal(undefined);
  });

  it('leaves a body that is not JSON to dynalite, which answers SerializationException', () => {
    expect(refusalOf(body('{nope'))).to.equal(undefined);
  });
});
