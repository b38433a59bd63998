import { connect, createServer, type Socket } from 'node:net';
import { listen } from './raw-http';

/** A TCP proxy to a local port that can delay every byte, to make a server slow without stopping it. */
export interface DelayProxy {
  readonly port: number;
  /** Added to each chunk in both directions; 0 passes bytes straight through. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startDelayProxy(targetPort: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const proxy: DelayProxy = {
    port: 0,
    delayMs: 0,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  // Chunks keep their order even when the delay changes: each leaves no earlier than the last.
  const relay = (from: Socket, to: Socket) => {
    let last = 0;
    from.on('data', (chunk) => {
      const at = Math.max(Date.now() + proxy.delayMs, last);
      last = at;
      setTimeout(() => to.writable && to.write(chunk), at - Date.now());
    });
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  (proxy as { port: number }).port = await listen(server);
  return proxy;
}
