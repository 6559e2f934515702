// autocannon ships no types; the benchmark uses this much of it.
declare module 'autocannon' {
  interface Histogram { p50: number; p90: number; p99: number; max: number; average: number; total: number }
  interface Result { latency: Histogram; requests: Histogram; errors: number; timeouts: number; non2xx: number }
  function autocannon(opts: Record<string, unknown>): Promise<Result>;
  export default autocannon;
}
