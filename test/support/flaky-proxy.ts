import { createServer, request, type Server } from 'node:http';

// A registry that fails once: a plain HTTP proxy in front of a real registry that answers the
// first request matching `failOnce` as Debian's docker-registry sometimes answers concurrent
// manifest pushes (400 DIGEST_INVALID, which BuildKit does not retry; a 500 it retries itself),
// and forwards everything else. Loopback only.

export interface FlakyProxy {
  /** host:port */
  address: string;
  /** The requests it failed. */
  failed: string[];
  close(): Promise<void>;
}

export async function flakyProxy(upstream: string, failOnce: RegExp): Promise<FlakyProxy> {
  const [host, port] = upstream.split(':') as [string, string];
  const failed: string[] = [];
  const server: Server = createServer((req, res) => {
    const what = `${req.method} ${req.url}`;
    if (failed.length === 0 && failOnce.test(what)) {
      failed.push(what);
      req.resume();
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}');
      return;
    }
    const out = request(
      { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: upstream } },
      (up) => {
        // Location headers name the upstream; the client must come back through the proxy.
        const headers = { ...up.headers };
        if (typeof headers.location === 'string') headers.location = headers.location.replace(`//${upstream}`, `//${address}`);
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `localhost:${(server.address() as { port: number }).port}`;
  return { address, failed, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
