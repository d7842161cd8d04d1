/**
 * A scripted fake server: a real TCP server on 127.0.0.1, port 0, that
 * writes exactly the bytes a test needs. No mocked sockets.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { StartedTarget } from '../../targets/types.ts';

export interface FakeServer {
  port: number;
  /** Everything each connection received, in order of connection. */
  received: Buffer[];
  /** A StartedTarget pointing here, for runSuites(). */
  target: StartedTarget;
  close(): Promise<void>;
}

export type Script = (socket: net.Socket, index: number, received: () => Buffer) => void;

export async function fakeServer(script: Script): Promise<FakeServer> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const i = received.length;
    received.push(Buffer.alloc(0));
    sockets.add(socket);
    socket.on('data', (c: Buffer) => {
      received[i] = Buffer.concat([received[i]!, c]);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    script(socket, i, () => received[i]!);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return {
    port,
    received,
    close,
    target: { name: 'fake', host: '127.0.0.1', port, tls: 'none', description: 'scripted fake server', facts: {}, stop: async () => undefined },
  };
}

/** Calls `onLine` for each CRLF- or LF-terminated line the client sends. */
export function onLines(socket: net.Socket, onLine: (line: string) => void): void {
  let buf = '';
  socket.on('data', (c: Buffer) => {
    buf += c.toString('latin1');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      onLine(line);
    }
  });
}

/** Writes `data` one byte at a time, each in its own TCP segment (setNoDelay + a pause). */
export async function writeByteByByte(socket: net.Socket, data: string, gapMs = 2): Promise<void> {
  socket.setNoDelay(true);
  for (const ch of Buffer.from(data, 'latin1')) {
    if (socket.destroyed) return;
    socket.write(Buffer.from([ch]));
    await new Promise((r) => setTimeout(r, gapMs));
  }
}
