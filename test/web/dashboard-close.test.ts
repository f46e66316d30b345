/**
 * `Dashboard.close()` returns while tabs are still connected. What hung a CI run: a connection
 * that is busy when `close()` runs (a tab's EventSource reconnecting, its request half sent) is
 * not closed as idle, and the event stream it then opens kept `server.close` waiting forever.
 * Here raw sockets play the tabs: one holds /events open, one has sent half of its request.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Dashboard } from '../../src/serve/dashboard.js';

/** Resolves with what `promise` gives, or rejects after `ms` naming `what`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms).unref()),
  ]);
}

/** A raw client socket, what it has received, and a promise of its closing. */
async function rawClient(url: URL): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(Number(url.port), url.hostname);
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => text, closed };
}

describe('Dashboard.close', () => {
  it('returns while one tab holds the event stream and another is half-way through asking for it', async () => {
    const dashboard = new Dashboard({ port: 0, onListening: () => {} });
    const url = new URL(await dashboard.start());
    const holding = await rawClient(url);
    const asking = await rawClient(url);
    try {
      holding.socket.write(`GET /events HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
      await within(
        5000,
        'the stream opening',
        waitFor(() => holding.received().includes('text/event-stream')),
      );
      asking.socket.write(`GET /events HTTP/1.1\r\nHost: ${url.host}\r\n`);
      await new Promise((resolve) => setTimeout(resolve, 50));

      const closing = dashboard.close();
      asking.socket.write('\r\n'); // the rest of the request, after close() began
      await within(5000, 'Dashboard.close()', closing);
      await within(5000, 'the sockets closing', Promise.all([holding.closed, asking.closed]));
    } finally {
      holding.socket.destroy();
      asking.socket.destroy();
    }
    assert.match(holding.received(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*content-type: text\/event-stream/);
    assert.doesNotMatch(asking.received(), /text\/event-stream/, 'no stream opens once closing began');
  });

  it('close() before start, and twice, resolves', async () => {
    const dashboard = new Dashboard({ port: 0, onListening: () => {} });
    await dashboard.close();
    await dashboard.start();
    await dashboard.close();
    await dashboard.close();
  });
});

/** Polls `ready` every 5 ms until it holds. */
async function waitFor(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}
