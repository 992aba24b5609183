// The HTTP side of the metrics endpoint: GET /metrics answers the registry in the Prometheus
// text format; anything else is 404 (405 for another method on /metrics). It serves only what
// the run has already observed; a scrape never ticks the engine or reads telemetry.
import { type Server, createServer } from 'node:http'
import type { Registry } from 'prom-client'
import type { MetricsAddress } from './address.js'

/** Listens on `address`; resolves with the address actually bound (port 0 becomes the chosen one). Rejects on a bind error (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
export function serveMetrics(registry: Registry, address: MetricsAddress): Promise<{ server: Server; bound: MetricsAddress }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
      return
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType })
        res.end(req.method === 'HEAD' ? undefined : text)
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`collecting the metrics failed: ${err instanceof Error ? err.message : String(err)}\n`)
      },
    )
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
      server.off('error', reject)
      const a = server.address()
      const port = typeof a === 'object' && a !== null ? a.port : address.port
      resolve({ server, bound: { host: address.host, port } })
    })
  })
}
