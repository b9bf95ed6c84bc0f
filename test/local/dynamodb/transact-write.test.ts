import { expect } from 'chai';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalDynamo, table, type LocalDynamo } from './support';

/** TransactWriteItems on the local DynamoDB (local/dynamodb/transact-write.ts), through the SDK's document client. */
describe('local DynamoDB TransactWriteItems', () => {
  let dynamo: LocalDynamo;
  before(async () => {
    dynamo = await startLocalDynamo([table('Items', ['id']), table('Counters', ['name'])]);
  });
  after(() => dynamo.stop());

  const get = async (tableName: string, key: Record<string, string>) =>
    (await dynamo.documents.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const transact = (
    TransactItems: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
  ) => dynamo.documents.send(new TransactWriteCommand({ TransactItems }));
  const cancelled = async (promise: Promise<unknown>): Promise<TransactionCanceledException> => {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error, 'the transaction is cancelled').to.be.instanceOf(TransactionCanceledException);
    return error as TransactionCanceledException;
  };

  it('applies a Put, an Update, a Delete and a ConditionCheck together when every condition holds', async () => {
    await dynamo.documents.send(new PutCommand({ TableName: 'Items', Item: { id: 'old', v: 1 } }));
    await dynamo.documents.send(new PutCommand({ TableName: 'Items', Item: { id: 'guard', open: true } }));
    await transact([
      { Put: { TableName: 'Items', Item: { id: 'new', v: 1 }, ConditionExpression: 'attribute_not_exists(id)' } },
      {
        Update: {
          TableName: 'Counters',
          Key: { name: 'items' },
          UpdateExpression: 'SET #label = :label ADD #count :one',
          // The condition uses none of the update's placeholders: the emulator must check it on its own.
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
          ExpressionAttributeNames: { '#count': 'count', '#label': 'label' },
          ExpressionAttributeValues: { ':one': 1, ':max': 10, ':label': 'items' },
        },
      },
      {
        Delete: {
          TableName: 'Items',
          Key: { id: 'old' },
          ConditionExpression: 'v = :v',
          ExpressionAttributeValues: { ':v': 1 },
        },
      },
      {
        ConditionCheck: {
          TableName: 'Items',
          Key: { id: 'guard' },
          ConditionExpression: '#open = :yes',
          ExpressionAttributeNames: { '#open': 'open' },
          ExpressionAttributeValues: { ':yes': true },
        },
      },
    ]);
    expect(await get('Items', { id: 'new' })).to.deep.equal({ id: 'new', v: 1 });
    expect(await get('Items', { id: 'old' })).to.equal(undefined);
    expect(await get('Counters', { name: 'items' })).to.deep.equal({ name: 'items', count: 1, label: 'items' });
    expect(await get('Items', { id: 'guard' }), 'a ConditionCheck writes nothing').to.deep.equal({
      id: 'guard',
      open: true,
    });
  });

  it('writes nothing when one condition fails, and names which one in CancellationReasons', async () => {
    await dynamo.documents.send(new PutCommand({ TableName: 'Items', Item: { id: 'taken', v: 7 } }));
    const error = await cancelled(
      transact([
        {
          Update: {
            TableName: 'Counters',
            Key: { name: 'untouched' },
            UpdateExpression: 'ADD #count :one',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
        {
          Put: {
            TableName: 'Items',
            Item: { id: 'taken', v: 8 },
            ConditionExpression: 'attribute_not_exists(id)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]),
    );
    expect(error.CancellationReasons?.map((reason) => reason.Code)).to.deep.equal(['None', 'ConditionalCheckFailed']);
    expect(error.message).to.include('[None, ConditionalCheckFailed]');
    expect(error.CancellationReasons?.[1]?.Item, 'ALL_OLD answers the item as it is').to.deep.equal({
      id: { S: 'taken' },
      v: { N: '7' },
    });
    expect(await get('Counters', { name: 'untouched' }), 'the first action was not applied').to.equal(undefined);
    expect(await get('Items', { id: 'taken' })).to.deep.equal({ id: 'taken', v: 7 });
  });

  it('checks a condition on an absent item as DynamoDB does (attribute_exists fails, attribute_not_exists holds)', async () => {
    const error = await cancelled(
      transact([
        { ConditionCheck: { TableName: 'Items', Key: { id: 'absent' }, ConditionExpression: 'attribute_exists(id)' } },
      ]),
    );
    expect(error.CancellationReasons?.map((reason) => reason.Code)).to.deep.equal(['ConditionalCheckFailed']);
    expect(await get('Items', { id: 'absent' }), 'checking created nothing').to.equal(undefined);
  });

  it('refuses two actions on one item and an empty transaction, like DynamoDB', async () => {
    for (const items of [
      [
        { Put: { TableName: 'Items', Item: { id: 'twice' } } },
        {
          Update: {
            TableName: 'Items',
            Key: { id: 'twice' },
            UpdateExpression: 'SET v = :v',
            ExpressionAttributeValues: { ':v': 1 },
          },
        },
      ],
      [],
    ]) {
      const error = await transact(items).then(
        () => undefined,
        (thrown: Error) => thrown,
      );
      expect(error?.name).to.equal('ValidationException');
    }
    expect(await get('Items', { id: 'twice' })).to.equal(undefined);
  });

  it('is atomic against concurrent writes: of 12 transactions claiming one item, exactly one succeeds and counts', async () => {
    const claim = (n: number) =>
      transact([
        {
          Put: { TableName: 'Items', Item: { id: 'claimed', by: n }, ConditionExpression: 'attribute_not_exists(id)' },
        },
        {
          Update: {
            TableName: 'Counters',
            Key: { name: 'claims' },
            UpdateExpression: 'ADD #count :one',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ]).then(
        () => 'won',
        (error: Error) => error.name,
      );
    // Plain writes interleave with the transactions too: they must neither slip between a check and its write.
    const plain = Array.from({ length: 6 }, (_, n) =>
      dynamo.documents.send(
        new UpdateCommand({
          TableName: 'Counters',
          Key: { name: 'other' },
          UpdateExpression: 'ADD #count :one',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': n + 1 },
        }),
      ),
    );
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, n) => claim(n)));
    await Promise.all(plain);
    expect(outcomes.filter((outcome) => outcome === 'won')).to.have.lengthOf(1);
    expect(outcomes.filter((outcome) => outcome !== 'won')).to.deep.equal(
      Array(11).fill('TransactionCanceledException'),
    );
    expect((await get('Counters', { name: 'claims' }))?.count).to.equal(1);
    expect((await get('Counters', { name: 'other' }))?.count).to.equal(21);
  });

  it('still answers plain writes and their condition failures', async () => {
    await dynamo.documents.send(
      new PutCommand({ TableName: 'Items', Item: { id: 'plain' }, ConditionExpression: 'attribute_not_exists(id)' }),
    );
    const error = await dynamo.documents
      .send(
        new PutCommand({ TableName: 'Items', Item: { id: 'plain' }, ConditionExpression: 'attribute_not_exists(id)' }),
      )
      .then(
        () => undefined,
        (thrown: Error) => thrown,
      );
    expect(error?.name).to.equal('ConditionalCheckFailedException');
  });
});
