import fs from "node:fs";
import path from "node:path";
import type tls from "node:tls";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { DaemonSettings } from "../../../core/config/common-schema";
import { describeError, TantaleError } from "../../../core/errors";
import type { Logger } from "../../../core/log/logger";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import type { Endpoint, OutputPlugin } from "../../../core/plugin/api";
import { DiskSpool } from "../../../core/spool/disk-spool";
import type { SpoolDrop } from "../../../core/spool/spool";
import { CLOCK, DAEMON_SETTINGS, DATA_DIR, INSTANCE_ID, INSTANCE_STATS, LOGGER } from "../../../core/tokens";
import { parseServer, type CentralServer } from "./central-server";
import { resultLine, TimestampSequencer } from "./result-line";
import { FORWARDER_CONFIG, type ForwarderConfig } from "./schema";
import { Sender } from "./sender";

/** Segments of the spool: small enough that acknowledged data leaves the disk soon, large enough to be few. */
const SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * The forwarder: the host side of a two-tier set-up. A batch counts as written once it is in
 * the disk spool (fsynced with the default spool_fsync = always), so the host side's SYNCED
 * and a stop mean "in the spool, on disk"; the Sender delivers the spool to a central
 * Tantale's line socket and removes from it only what the central side answered SYNCED for.
 */
@injectable()
export class ForwarderOutput implements OutputPlugin {
  private spool: DiskSpool | undefined;
  private sender: Sender | undefined;
  private readonly sequencer = new TimestampSequencer();
  private readonly servers: readonly CentralServer[];
  readonly spoolDir: string;

  constructor(
    @inject(FORWARDER_CONFIG) private readonly config: ForwarderConfig,
    @inject(DATA_DIR) private readonly dataDir: string,
    @inject(LOGGER) private readonly log: Logger,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INSTANCE_ID) instanceId: string,
    @inject(DAEMON_SETTINGS) private readonly settings: Pick<DaemonSettings, "data_access">,
  ) {
    // The schema checked every entry at load.
    this.servers = config.servers.map((s) => {
      const parsed = parseServer(s);
      if (typeof parsed === "string") throw new TantaleError(`servers: ${parsed}`);
      return parsed;
    });
    this.spoolDir = path.resolve(dataDir, config.spool_dir === "" ? path.join("spool", instanceId) : config.spool_dir);
  }

  endpoints(): Endpoint[] {
    return [
      ...this.servers.map((s, i) => ({ role: "send" as const, address: s.label, note: `${i === 0 ? "first" : "fail-over"}${this.config.tls ? ", TLS" : ""}` })),
      { role: "write", address: this.spoolDir, note: "spool" },
    ];
  }

  async start(): Promise<void> {
    const tlsOptions = this.tlsOptions();
    const spool = await DiskSpool.open(
      {
        dir: this.spoolDir,
        dataAccess: this.settings.data_access,
        segmentBytes: Math.min(SEGMENT_BYTES, this.config.spool_max_size),
        maxBytes: this.config.spool_max_size,
        fsync: this.config.spool_fsync,
        fsyncIntervalMs: 1000,
        onDrop: (drop) => this.dropped(drop),
      },
      this.log,
    );
    this.spool = spool;
    this.stats.gauge("spool_records", () => spool.pendingRecords);
    this.stats.gauge("spool_bytes", () => spool.pendingBytes);
    this.sender = new Sender(
      spool,
      {
        servers: this.servers,
        link: { timeoutMs: this.config.connect_timeout, token: this.config.token, tls: tlsOptions },
        syncEvery: this.config.sync_every,
        maxInFlight: this.config.max_in_flight,
        ackTimeoutMs: this.config.ack_timeout,
        reconnectMinMs: this.config.reconnect_min_delay,
        reconnectMaxMs: Math.max(this.config.reconnect_min_delay, this.config.reconnect_max_delay),
        failoverAfter: this.config.failover_after,
        failbackIntervalMs: this.config.failback_interval,
      },
      this.log,
      this.stats,
      this.clock,
    );
    this.sender.start();
    const pending = spool.pendingRecords;
    this.log.info(`forwarding to ${this.servers.map((s) => s.label).join(", ")}${pending > 0 ? `; ${pending} results in the spool from before` : ""}`, {
      servers: this.config.servers,
      pending,
    });
  }

  /** Resolves once the batch is in the spool (on disk with spool_fsync = always): the sender delivers it from there. */
  async write(batch: readonly CheckResult[]): Promise<void> {
    const spool = this.spool;
    if (spool === undefined) throw new TantaleError("the forwarder is not started");
    const records = batch.map((r) => Buffer.from(resultLine(r, this.sequencer.next(r))));
    await spool.append(records);
    this.stats.add("results_spooled", records.length);
    this.sender?.wake();
  }

  async stop(): Promise<void> {
    const sender = this.sender;
    const spool = this.spool;
    this.sender = undefined;
    this.spool = undefined;
    await sender?.stop();
    await spool?.close();
  }

  private dropped(drop: SpoolDrop): void {
    this.stats.add("results_dropped", drop.records);
    // DiskSpool logs the drop itself; this line says what it means here.
    this.log.error(
      `${drop.records} results lost (${drop.reason === "cap" ? `the spool reached spool_max_size = ${this.config.spool_max_size} bytes: the oldest were dropped` : "unreadable in the spool"}) while the central servers were away`,
      { records: drop.records, reason: drop.reason, firstSeq: drop.firstSeq, lastSeq: drop.lastSeq },
    );
  }

  /** The TLS options, the CA read now (a missing file fails the start, naming it). */
  private tlsOptions(): tls.ConnectionOptions | undefined {
    if (!this.config.tls) return undefined;
    const options: { ca?: Buffer; rejectUnauthorized: boolean; servername?: string } = { rejectUnauthorized: this.config.tls_verify };
    if (this.config.ca_file !== "") {
      const file = path.resolve(this.dataDir, this.config.ca_file);
      try {
        options.ca = fs.readFileSync(file);
      } catch (err) {
        throw new TantaleError(`ca_file ${file}: ${describeError(err)}`, { cause: err });
      }
    }
    if (this.config.servername !== "") options.servername = this.config.servername;
    return options;
  }
}
