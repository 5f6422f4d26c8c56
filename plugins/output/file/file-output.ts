import fs from "node:fs/promises";
import path from "node:path";
import { inject, injectable } from "tsyringe";
import type { CheckResult } from "../../../core/model/check-result";
import type { Endpoint, OutputPlugin } from "../../../core/plugin/api";
import { DATA_DIR } from "../../../core/tokens";
import { FILE_CONFIG, type FileConfig } from "./schema";

/** Appends every result as one JSON line: for debugging, or for other tools to tail. */
@injectable()
export class FileOutput implements OutputPlugin {
  private handle: fs.FileHandle | undefined;
  readonly file: string;

  constructor(
    @inject(FILE_CONFIG) private readonly config: FileConfig,
    @inject(DATA_DIR) dataDir: string,
  ) {
    this.file = path.resolve(dataDir, config.path);
  }

  endpoints(): Endpoint[] {
    return [{ role: "write", address: this.file }];
  }

  async start(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    this.handle = await fs.open(this.file, "a");
  }

  async write(batch: readonly CheckResult[]): Promise<void> {
    if (this.handle === undefined) throw new Error(`${this.file} is not open`);
    let text = "";
    for (const r of batch) text += `${JSON.stringify(r)}\n`;
    await this.handle.write(text);
    if (this.config.fsync) await this.handle.datasync();
  }

  async stop(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}
