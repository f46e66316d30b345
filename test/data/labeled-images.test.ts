/** The shared dataset helpers: errors reported in a fixed order, the limit check. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allInOrder, keepCount } from '../../src/data/labeled-images.js';

const later = <T>(ms: number, value: T, fail: boolean): Promise<T> =>
  new Promise((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

test('allInOrder resolves values in argument order', async () => {
  assert.deepEqual(await allInOrder([later(20, 'a', false), later(1, 'b', false)]), ['a', 'b']);
});

test('allInOrder reports the first failure by position, not by time', async () => {
  // The second rejects first in time; the first argument's error must still be the one reported.
  await assert.rejects(allInOrder([later(30, 'first', true), later(1, 'second', true)]), /^Error: first$/);
  await assert.rejects(allInOrder([later(1, 'ok', false), later(5, 'second', true)]), /^Error: second$/);
});

test('keepCount keeps all without a limit, caps with one, refuses a bad one', () => {
  assert.equal(keepCount('here', undefined, 7), 7);
  assert.equal(keepCount('here', 3, 7), 3);
  assert.equal(keepCount('here', 30, 7), 7);
  assert.throws(() => keepCount('here', 0, 7), /here: expected options.limit to be a positive integer, received 0/);
  assert.throws(() => keepCount('here', 1.5, 7), /received 1.5/);
});
