import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';

type Trust = (addr: string, hop: number) => boolean;
interface ProxyAddr {
  (req: IncomingMessage, trust: Trust): string;
  compile(val: string[]): Trust;
}
// Express's own dependency (no types published): the same reading of X-Forwarded-For as `req.ip`.
const proxyaddr = createRequire(import.meta.url)('proxy-addr') as ProxyAddr;

/** Express's 'trust proxy' value (config.trustProxy) as proxy-addr's trust function, as Express compiles it. */
export function compileTrust(value: boolean | number | string): Trust {
  if (value === true) return () => true;
  if (typeof value === 'number') return (_addr, hop) => hop < value;
  if (value === false) return proxyaddr.compile([]);
  return proxyaddr.compile(value.split(',').map((v) => v.trim()));
}

/** The client address of an HTTP or upgrade request, like Express's `req.ip`. */
export function clientAddress(req: IncomingMessage, trust: Trust): string {
  return proxyaddr(req, trust);
}
