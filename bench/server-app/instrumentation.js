// With BENCH_TRACE_GC=1, V8 prints one line per garbage collection with the bytes allocated since
// the previous one: bench/server.mjs sums them per route to report heap allocation per request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs' && process.env.BENCH_TRACE_GC === '1') {
    const v8 = await import('node:v8')
    v8.setFlagsFromString('--trace-gc-nvp')
  }
}
