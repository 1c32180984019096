/**
 * The fronts database: what each server or hosted platform that sits in front of the app (reverse
 * proxy, load balancer, CDN, the Node server itself) lets through, as the largest `Cookie` request
 * line, the largest request head and the largest response head the app may send. Every number cites
 * where it comes from. "measured here" means our own measurement of the Debian 12 package with its
 * stock configuration, on loopback in front of `next start` (2026-12), documented in FRONTS.md.
 *
 * Units are HTTP/1.1 bytes, so that one budget compares them all: a cookie line is
 * `Cookie: ` + value + CRLF (value + 10 bytes), a head is the start line, every header line and the
 * CRLFs. A front that counts differently (HTTP/2 HPACK, Node counting only names and values) is
 * converted to the smallest HTTP/1.1 figure it lets through, or rounded down to a safe one.
 *
 * Where a platform's pages disagree, the entry holds the smaller figure. Where it documents no
 * request limit, the entry holds the common 8 KiB line (the stock nginx and Apache figure); where it
 * documents no response limit, `responseHeadBytes` stays undefined. `source` says which is which.
 *
 * This module runs on Edge runtimes too: it reads no `process`; the app passes its environment to
 * {@link frontsFromEnvironment}.
 */

/** The limits one server or platform in front of the app enforces. All sizes are bytes. */
export interface FrontLimits {
  /** Largest `Cookie` request header LINE it passes: `Cookie: ` + value + CRLF (so value limit + 10), the smallest over the protocols it serves (HTTP/1.1, HTTP/2, HTTP/3). Same unit as the package option `limits.maxCookieHeaderBytes`. */
  cookieLineBytes: number
  /** Largest whole request head it passes (request line + every header line + CRLFs, counted as HTTP/1.1 bytes), when it limits the head as a whole (HAProxy, Node, CloudFront…); undefined when it only limits each line. */
  requestHeadBytes?: number
  /** Largest response head the APP may send through it (status line + every header line + CRLFs, as the app sends it in HTTP/1.1); undefined when there is no limit below 64 KiB (then the browser's limit applies). */
  responseHeadBytes?: number
}

/** One row of the database. */
export interface FrontEntry extends FrontLimits {
  /** Stable id: 'nginx' | 'apache' | 'haproxy' | 'caddy' | 'node' | 'vercel' | 'netlify' | 'cloudflare' | 'aws-alb' | 'cloudfront' (at least these). */
  id: string
  /** Human name, e.g. 'nginx 1.22 (stock)'. */
  name: string
  /** 'server' for software the user runs (nginx, Apache, HAProxy, Caddy, node), 'platform' for a hosted edge (Vercel, Netlify, Cloudflare, AWS ALB, CloudFront). */
  kind: 'server' | 'platform'
  /** Environment variables (any one present and non-empty) by which the app recognizes it is running on this platform at start-up, e.g. ['VERCEL'] for Vercel, ['NETLIFY'] for Netlify, Cloudflare Pages/Workers: ['CF_PAGES'] — only variables the platform's docs say it sets at RUN time in the server function (not just at build time); omit when none is reliable (ALB, CloudFront). */
  env?: readonly string[]
  /** Where each number comes from: doc URL or source file + constant, and "measured here" for what the test suite measures on Debian 12 packages. */
  source: string
  /** How to raise its limits, one line (directives/settings), e.g. nginx: 'large_client_header_buffers 4 16k; proxy_buffer_size 16k; proxy_buffers 8 16k; (and http2_max_field_size / http2_max_header_size on older nginx)'. */
  raise: string
}

const KiB = 1024

/** HAProxy's tune.bufsize (16384) minus tune.maxrewrite (1024): the room for a whole head. */
const HAPROXY_HEAD = 16384 - 1024

/** The built-in entries: servers the user runs first, then hosted platforms. */
export const BUILTIN_FRONTS: readonly FrontEntry[] = [
  {
    // HTTP/1.1: each request line must fit one large_client_header_buffers buffer (default 4 8k),
    // measured here: Cookie value 8,182 passes (line 8,192), 8,183 gets 400. The head as a whole
    // cannot exceed the 4 buffers (lines never span buffers). HTTP/2 (nginx >= 1.19.7 uses the same
    // directive): each field's HPACK-encoded length <= 8k, all fields <= 4 x 8k; browsers send one
    // field per cookie there, so HTTP/1.1 is the smaller and 8,192 holds for both. Response: the
    // upstream's whole response head must fit proxy_buffer_size, default one memory page = 4k on
    // x86-64; measured here: a 4,096-byte head still gets a 200 but its body cut off, one byte more
    // gives 502 "upstream sent too big header": 4,095 is the largest that works.
    id: 'nginx',
    name: 'nginx 1.22 (stock)',
    kind: 'server',
    cookieLineBytes: 8 * KiB,
    requestHeadBytes: 4 * 8 * KiB,
    responseHeadBytes: 4 * KiB - 1,
    source:
      'https://nginx.org/en/docs/http/ngx_http_core_module.html#large_client_header_buffers (default 4 8k: one 8k buffer per line, 4 in all); https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffer_size (default 4k|8k, one memory page: 4k on x86-64); measured here on Debian 12 nginx 1.22.1: Cookie value 8,182 passes over HTTP/1.1, response head 4,095 B whole (4,096: 200 with the body cut; 4,097: 502)',
    raise:
      'large_client_header_buffers 4 16k; proxy_buffer_size 16k; proxy_buffers 8 16k; (and http2_max_field_size / http2_max_header_size on nginx < 1.19.7)',
  },
  {
    // HTTP/1.1: `Cookie: value` (CRLF not counted) <= LimitRequestFieldSize 8190 + 1, measured here
    // value 8,183 passes -> line 8,193. HTTP/2 (mod_http2): the cookie crumbs are joined with '; '
    // and `cookie: ` + joined <= 8,190, measured here value 8,182 -> line 8,192, the smaller of the
    // two. No whole-head size limit (LimitRequestFields 100 caps the count, not the bytes).
    // Response: mod_proxy_http reads each backend header line into a buffer of ProxyPass
    // `responsefieldsize` (default 8192 = HUGE_STRING_LEN, modules/proxy/mod_proxy_http.c
    // ap_proxy_read_headers: a longer line fails the response with "header size is over the limit
    // allowed by ResponseFieldSize"). That is a per-LINE limit: our Set-Cookie lines are <= 4,096 B
    // of cookie + ~100 B of attributes, so it does not bind; there is no whole-head limit (measured
    // here: >= 32 KB of Set-Cookie in 8 chunks passes over HTTP/1.1 and HTTP/2).
    // Over HTTP/2, mod_http2 (nghttp2) refuses to send a response header block over 64 KiB:
    // measured here, 65,291 bytes of head (in 4,000-byte lines) pass, one more is RST_STREAM.
    id: 'apache',
    name: 'Apache httpd 2.4 (stock, mod_proxy_http)',
    kind: 'server',
    cookieLineBytes: 8 * KiB,
    responseHeadBytes: 65291,
    source:
      'https://httpd.apache.org/docs/2.4/mod/core.html#limitrequestfieldsize (default 8190); https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass responsefieldsize (default 8192, include/httpd.h HUGE_STRING_LEN; per response header line, used by ap_proxy_read_headers in modules/proxy/mod_proxy_http.c; does not bind on <= ~4.2 KB Set-Cookie lines); measured here on Debian 12 Apache 2.4: Cookie value 8,183 passes over HTTP/1.1, 8,182 over HTTP/2; a response head of 8,250 B in one line and of any size in 4,000-B lines passes over HTTP/1.1, 65,291 B over HTTP/2',
    raise:
      'LimitRequestFieldSize 16380 (covers HTTP/1.1 and mod_http2); LimitRequestLine 16380; ProxyPass ... responsefieldsize=16384 for longer response header lines',
  },
  {
    // HTX: the whole request head and the whole response head must each fit tune.bufsize (16384)
    // minus tune.maxrewrite (1024) = 15,360 bytes, with no per-line limit below that. The HTX
    // bookkeeping costs ~100 bytes more: measured here, Cookie value 15,160 passes with curl's
    // minimal headers (a head of ~15,250 B), and a response head of 15,240 B passes, 502 beyond.
    id: 'haproxy',
    name: 'HAProxy 2.6 (stock)',
    kind: 'server',
    cookieLineBytes: HAPROXY_HEAD,
    requestHeadBytes: HAPROXY_HEAD,
    // Measured: 15,280 bytes of response head in 4,000-byte lines (15,292 in one), 502 beyond.
    responseHeadBytes: 15280,
    source:
      'https://docs.haproxy.org/2.6/configuration.html#3.2-tune.bufsize (default 16384) and #3.2-tune.maxrewrite (default 1024 = bufsize/16): headers must fit bufsize - maxrewrite = 15360, request and response alike; measured here on Debian 12 HAProxy 2.6.12: Cookie value 15,218 passes with only Host besides (15,195 over HTTP/2), response head 15,280 B passes in 4,000-B lines, 502 beyond',
    raise: 'global: tune.bufsize 32768 (the head must fit tune.bufsize - tune.maxrewrite; keep tune.maxrewrite 1024)',
  },
  {
    // Go net/http: http.Server.MaxHeaderBytes 0 -> DefaultMaxHeaderBytes = 1 << 20 (the server
    // reads up to that plus 4096 bytes of slack); Caddy 2.6 passes its `max_header_size` server
    // option (modules/caddyhttp/server.go MaxHeaderBytes, 0 = Go default) to HTTP/1.1, to HTTP/2
    // (x/net/http2 derives SETTINGS_MAX_HEADER_LIST_SIZE from it) and to HTTP/3 (quic-go
    // http3.Server MaxHeaderBytes, 0 = the same default). Checked here on Debian 12 Caddy 2.6.2:
    // a Cookie value of 1,052,576 bytes passes (1 MiB + Go's 4 KiB slack), 1,052,776 gets 431.
    // Response: reverse_proxy transport http `max_response_header` (reverseproxy/httptransport.go
    // MaxResponseHeaderSize, default 10 MiB = Go http.Transport's default MaxResponseHeaderBytes),
    // far above 64 KiB: undefined.
    id: 'caddy',
    name: 'Caddy 2.6 (stock, reverse_proxy)',
    kind: 'server',
    // Over HTTP/2, measured: 1,039,565 bytes of cookie crumbs pass; 10^6 stays below every protocol.
    cookieLineBytes: 1_000_000,
    requestHeadBytes: 1_000_000,
    source:
      'Go net/http DefaultMaxHeaderBytes = 1 << 20 (https://pkg.go.dev/net/http#pkg-constants), used by Caddy when servers max_header_size is unset (https://caddyserver.com/docs/caddyfile/options#max-header-size; modules/caddyhttp/server.go MaxHeaderBytes) for HTTP/1.1, HTTP/2 and HTTP/3; response: https://caddyserver.com/docs/caddyfile/directives/reverse_proxy#max_response_header default 10MiB (reverseproxy/httptransport.go MaxResponseHeaderSize); checked here on Debian 12 Caddy 2.6.2: Cookie value 1,052,576 passes, 1,052,776 gets 431; a 200 KB response head passes',
    raise:
      'global options: servers { max_header_size 2MB }; reverse_proxy { transport http { max_response_header 20MB } } (defaults are already far above any cookie budget)',
  },
  {
    // Node's http server (what `next start` uses): llhttp counts the URL plus every header name and
    // value, and answers 431 once that reaches --max-http-header-size (default 16 KiB); measured
    // here: Cookie value 16,311 passes with curl's minimal headers, i.e. URL + sum(name + value)
    // <= 16,383. In HTTP/1.1 bytes (": " and CRLFs count too) the head that passes is a little
    // larger, so 16,384 for the line and the head is a safe floor. No response head limit of its own.
    id: 'node',
    name: 'Node.js http server (next start, stock)',
    kind: 'server',
    cookieLineBytes: 16 * KiB,
    requestHeadBytes: 16 * KiB,
    source:
      'https://nodejs.org/api/cli.html#--max-http-header-sizesize and https://nodejs.org/api/http.html#httpmaxheadersize (default 16 KiB); measured here on Node 20.20 + Next 16.4.6: URL + sum(header name + value) <= 16,383, Cookie value 16,311 passes, then 431',
    raise:
      'NODE_OPTIONS=--max-http-header-size=65536 (or http.createServer({ maxHeaderSize }) in a custom server); next start has no option for it',
  },
  {
    // REQUEST_HEADER_TOO_LARGE: each request header <= 16 KB, all headers including their names
    // <= 32 KB. Vercel documents no response header size limit: undefined. VERCEL=1 is a system
    // environment variable exposed to deployments (build and functions) when "Automatically expose
    // System Environment Variables" is on, the default.
    id: 'vercel',
    name: 'Vercel',
    kind: 'platform',
    cookieLineBytes: 16 * KiB,
    requestHeadBytes: 32 * KiB,
    env: ['VERCEL'],
    source:
      'https://vercel.com/docs/errors/REQUEST_HEADER_TOO_LARGE (16 KB per request header, 32 KB for all headers including names; read as KiB, the line counted as the 16 KB); no documented response header limit; env: https://vercel.com/docs/environment-variables/system-environment-variables (VERCEL=1)',
    raise: 'not configurable (platform limit): keep every header under 16 KB and all of them under 32 KB',
  },
  {
    // Netlify documents no request or response header size limit (docs.netlify.com functions
    // configuration lists only payload sizes: 6 MB buffered). We hold the common 8 KiB line (nginx,
    // Apache stock) as the conservative figure and no head limits. Environment: NETLIFY=true is a
    // BUILD variable only; the docs say only URL, SITE_NAME and SITE_ID reach functions at run time,
    // names too generic to identify Netlify by, so the entry has no `env`.
    id: 'netlify',
    name: 'Netlify',
    kind: 'platform',
    cookieLineBytes: 8 * KiB,
    source:
      'no documented header size limit (https://docs.netlify.com/build/functions/configuration/ lists only payload limits): conservative 8 KiB line; env: https://docs.netlify.com/build/functions/environment-variables/ (only URL, SITE_NAME, SITE_ID at run time) and https://docs.netlify.com/configure-builds/environment-variables/ (NETLIFY=true at build only)',
    raise: 'not configurable and not documented: keep the Cookie header under 8 KiB',
  },
  {
    // Cloudflare's pages disagree: the proxy's Connection limits page says request headers 32 KB in
    // all and 16 KB each, response headers the same; the Workers limits page now says 128 KB in
    // all for each direction. We keep the smaller, documented figures. CF_PAGES=1 is documented as
    // a build variable; Pages also injects it into the Functions `env` at run time (workers-sdk
    // maintainers, issue #5866: "only available in production"), reaching process.env only with
    // nodejs_compat's populated process.env; plain Workers set none.
    id: 'cloudflare',
    name: 'Cloudflare (proxy, Workers, Pages)',
    kind: 'platform',
    cookieLineBytes: 16 * KiB,
    requestHeadBytes: 32 * KiB,
    responseHeadBytes: 32 * KiB,
    env: ['CF_PAGES'],
    source:
      'https://developers.cloudflare.com/fundamentals/reference/connection-limits/ (request headers 32 KB total, 16 KB each; response headers 32 KB total, 16 KB each); https://developers.cloudflare.com/workers/platform/limits/ (now 128 KB total each way; the smaller figures kept); env: https://developers.cloudflare.com/pages/configuration/build-configuration/#environment-variables (CF_PAGES=1) and github.com/cloudflare/workers-sdk/issues/5866 (injected into Pages Functions env in production)',
    raise: 'not configurable on self-serve plans (Enterprise: ask the account team)',
  },
  {
    // ALB HTTP header quotas (not adjustable): request line 16K, single header 16K, whole response
    // header 32K, whole request header 64K.
    id: 'aws-alb',
    name: 'AWS Application Load Balancer',
    kind: 'platform',
    cookieLineBytes: 16 * KiB,
    requestHeadBytes: 64 * KiB,
    responseHeadBytes: 32 * KiB,
    source:
      'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html#http-headers-quotas (request line 16K, single header 16K, whole request header 64K, whole response header 32K)',
    raise: 'not adjustable (ALB HTTP header quotas)',
  },
  {
    // CloudFront: the request (path, query string and headers, not the body) <= 20,480 bytes, else
    // 413; no per-header limit below that. CloudFront documents no response header size limit.
    id: 'cloudfront',
    name: 'Amazon CloudFront',
    kind: 'platform',
    cookieLineBytes: 20480,
    requestHeadBytes: 20480,
    source:
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-general (maximum length of a request, including headers and query strings: 20,480 bytes) and RequestAndResponseBehaviorCustomOrigin.html#RequestCustomMaxRequestStringLength (413 beyond); no documented response header limit',
    raise: 'not adjustable: keep the request line and all headers under 20,480 bytes',
  },
]

/** The entry with this id among `fronts` (default BUILTIN_FRONTS), or undefined. */
export function frontById(id: string, fronts: readonly FrontEntry[] = BUILTIN_FRONTS): FrontEntry | undefined {
  return fronts.find((e) => e.id === id)
}

/**
 * The platform entries whose `env` variables are set in `env` (first match in table order), [] when
 * none. A variable counts when it is present with a non-empty value. Every matching platform is
 * returned, in table order, so the first is the one to report; more than one match means the app
 * should budget for all of them.
 */
export function frontsFromEnvironment(env: Record<string, string | undefined>): FrontEntry[] {
  return BUILTIN_FRONTS.filter(
    (e) => e.kind === 'platform' && e.env !== undefined && e.env.some((name) => isSet(env[name])),
  )
}

function isSet(value: string | undefined): boolean {
  return typeof value === 'string' && value.length > 0
}
