/**
 * The server's `/metrics` in Prometheus's text exposition format (version 0.0.4): request counts
 * by route and status code, a request latency histogram, the batch size and predict time
 * histograms of dynamic batching, and the queue depth.
 */

/** A cumulative histogram with fixed upper bounds, as Prometheus reads them. */
class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) this.counts[i]!++;
  }
  lines(name: string, labels: string): string[] {
    const sep = labels ? `${labels},` : '';
    const out = this.bounds.map((b, i) => `${name}_bucket{${sep}le="${b}"} ${this.counts[i]}`);
    out.push(`${name}_bucket{${sep}le="+Inf"} ${this.count}`);
    const plain = labels ? `{${labels}}` : '';
    out.push(`${name}_sum${plain} ${this.sum}`, `${name}_count${plain} ${this.count}`);
    return out;
  }
}

const LATENCY_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BOUNDS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/**
 * Counters and histograms of one server.
 *
 * @example
 * const metrics = new ServerMetrics();
 * metrics.request('predict', 200, 0.004);
 * metrics.render(() => 0);   // '# HELP convkit_requests_total ...'
 */
export class ServerMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly batchSize = new Histogram(BATCH_BOUNDS);
  private readonly predictSeconds = new Histogram(LATENCY_BOUNDS);

  /** Records one answered request. */
  request(route: string, status: number, seconds: number): void {
    const key = `route="${route}",code="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(route);
    if (!h) this.latency.set(route, (h = new Histogram(LATENCY_BOUNDS)));
    h.observe(seconds);
  }

  /** Records one predict call of the batcher. */
  batch(size: number, seconds: number): void {
    this.batchSize.observe(size);
    this.predictSeconds.observe(seconds);
  }

  /** The exposition text; `queueDepth` is read at render time. */
  render(queueDepth: number): string {
    const lines = [
      '# HELP convkit_requests_total HTTP requests answered, by route and status code.',
      '# TYPE convkit_requests_total counter',
    ];
    for (const [labels, n] of [...this.requests].sort()) lines.push(`convkit_requests_total{${labels}} ${n}`);
    lines.push(
      '# HELP convkit_request_duration_seconds Time from request to answer, by route.',
      '# TYPE convkit_request_duration_seconds histogram',
    );
    for (const [route, h] of [...this.latency].sort()) lines.push(...h.lines('convkit_request_duration_seconds', `route="${route}"`));
    lines.push('# HELP convkit_batch_size Samples per predict call (dynamic batching).', '# TYPE convkit_batch_size histogram');
    lines.push(...this.batchSize.lines('convkit_batch_size', ''));
    lines.push(
      '# HELP convkit_predict_duration_seconds Time of one batched predict call.',
      '# TYPE convkit_predict_duration_seconds histogram',
    );
    lines.push(...this.predictSeconds.lines('convkit_predict_duration_seconds', ''));
    lines.push(
      '# HELP convkit_queue_depth Samples waiting for a predict call.',
      '# TYPE convkit_queue_depth gauge',
      `convkit_queue_depth ${queueDepth}`,
    );
    return lines.join('\n') + '\n';
  }
}
