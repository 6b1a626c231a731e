import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a local port. Requests pass unchanged; each chunk of an answer goes to
 * `onAnswer`, which returns false to cut the connection instead of passing the chunk on.
 */
export async function tcpProxy(targetPort: number, onAnswer: (chunk: Buffer, connection: number) => boolean): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    const connection = connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!onAnswer(chunk, connection)) {
        client.destroy();
        upstream.destroy();
      } else if (!client.destroyed) client.write(chunk);
    });
    upstream.on('end', () => client.end());
    upstream.on('close', () => sockets.delete(upstream));
    client.on('close', () => {
      sockets.delete(client);
      upstream.end();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
