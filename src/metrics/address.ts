// The address `--metrics` listens on. A bare port means loopback (127.0.0.1): the endpoint
// says what the governor does on this machine, so it is reachable from elsewhere only when the
// address says so (0.0.0.0 or :: for every interface, or one interface's own address).
import { isIP } from 'node:net'

/** Where the metrics endpoint listens. */
export interface MetricsAddress {
  host: string
  port: number
}

/** The default when only a port is given. */
export const LOOPBACK = '127.0.0.1'

/**
 * Parses `PORT`, `HOST:PORT` or `[IPv6]:PORT` (HOST an IP address or `localhost`); port 0
 * asks the system for a free one. Throws an Error whose message says what is wrong.
 */
export function parseMetricsAddress(text: string): MetricsAddress {
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(text)
  let host: string
  let port: string
  if (bracketed) {
    host = bracketed[1]!
    port = bracketed[2]!
    if (isIP(host) !== 6) throw new Error(`${text}: [${host}] is not an IPv6 address`)
  } else if (/^\d+$/.test(text)) {
    host = LOOPBACK
    port = text
  } else {
    const colon = text.lastIndexOf(':')
    if (colon === -1) throw new Error(`${text}: give PORT, HOST:PORT or [IPv6]:PORT`)
    host = text.slice(0, colon)
    port = text.slice(colon + 1)
    if (host.includes(':')) throw new Error(`${text}: write an IPv6 address in brackets, [${host}]:${port}`)
    if (host !== 'localhost' && isIP(host) !== 4) throw new Error(`${text}: ${host === '' ? 'no host before the colon (a bare port listens on loopback)' : `${host} is not an IPv4 address or localhost`}`)
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new Error(`${text}: the port must be a number from 0 to 65535`)
  return { host, port: Number(port) }
}

/** The address as a URL host part. */
export function formatAddress(address: MetricsAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}
