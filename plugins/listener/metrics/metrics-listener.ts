import http from "node:http";
import { inject, injectable } from "tsyringe";
import { describeError } from "../../../core/errors";
import type { Logger } from "../../../core/log/logger";
import { readFigures } from "../../../core/metrics/figures";
import type { SelfStats } from "../../../core/metrics/self-stats";
import { listenServer } from "../../../core/net/listen";
import { peerOf } from "../../../core/net/peer-access";
import type { Endpoint, ListenerPlugin } from "../../../core/plugin/api";
import { LOGGER, SELF_STATS } from "../../../core/tokens";
import { figuresRegistry, type Scrape } from "./prometheus-figures";
import { METRICS_CONFIG, type MetricsConfig } from "./schema";

/** The one path served; anything else is 404. */
const METRICS_PATH = "/metrics";

/**
 * The metrics plugin: an HTTP server answering `GET /metrics` with the daemon's figures in
 * Prometheus text format. Figures are read from the self-stats at each scrape (nothing is
 * counted for it between scrapes), into a prom-client registry of its own.
 */
@injectable()
export class MetricsListener implements ListenerPlugin {
  private server: http.Server | undefined;
  private stopping: Promise<void> | undefined;
  private scrape: Scrape | undefined;

  constructor(
    @inject(METRICS_CONFIG) private readonly config: MetricsConfig,
    @inject(SELF_STATS) private readonly stats: SelfStats,
    @inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The TCP port listened on (the one the system chose for port 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === "object" && address !== null ? address.port : this.config.port;
  }

  endpoints(): Endpoint[] {
    return [{ role: "listen", address: `http://${peerOf(this.config.bind, this.port)}${METRICS_PATH}`, note: "Prometheus" }];
  }

  async start(): Promise<void> {
    const registry = figuresRegistry(this.config.prefix, () => this.scrape ?? this.read(), this.config.process_metrics);
    const server = http.createServer((req, res) => {
      const path = (req.url ?? "").split("?")[0];
      if (path !== METRICS_PATH) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: metrics are served on ${METRICS_PATH}\n`);
        return;
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("only GET\n");
        return;
      }
      // One reading of the figures for the whole answer: every metric of a scrape agrees.
      this.scrape = this.read();
      registry
        .metrics()
        .then(
          (text) => res.writeHead(200, { "content-type": registry.contentType }).end(req.method === "HEAD" ? undefined : text),
          (err: unknown) => {
            this.log.error("metrics scrape failed", { error: describeError(err) });
            res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("scrape failed: see the daemon log\n");
          },
        )
        .finally(() => (this.scrape = undefined));
    });
    // Scrapers keep connections alive; a stop must not wait for them.
    server.keepAliveTimeout = 65_000;
    await listenServer(server, { host: this.config.bind, port: this.config.port }, (err) =>
      this.log.error(`metrics listener error: ${err.message}`, { error: describeError(err) }),
    );
    this.server = server;
    this.log.info(`metrics served on http://${hostPart(this.config.bind)}:${this.port}${METRICS_PATH}`, { bind: this.config.bind, port: this.port });
  }

  /** May be called more than once: every call waits for the same stop. */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private read(): Scrape {
    return { figures: readFigures(this.stats), instances: [...this.stats.instances()] };
  }
}

/** An IPv6 address in a URL is bracketed. */
function hostPart(bind: string): string {
  return bind.includes(":") ? `[${bind}]` : bind;
}
