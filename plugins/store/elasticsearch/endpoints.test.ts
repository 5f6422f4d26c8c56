import { expect } from "chai";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import { ElasticsearchStore } from "./elasticsearch-store";
import { DEFAULT_CONFIG, ManualClock } from "./test-kit";

describe("elasticsearch store: its endpoints in the start-up line", () => {
  it("names each node, without a user and password written into its URL", () => {
    const store = new ElasticsearchStore(
      { ...DEFAULT_CONFIG, nodes: ["https://tantale:s3cret@es1.example.net:9200", "http://es2.example.net:9200"], index_prefix: "mon" },
      ".",
      "elasticsearch",
      silentLogger(),
      new ManualClock(),
      new SelfStats().of("es"),
      { data_access: "private" },
    );
    expect(store.endpoints()).to.deep.equal([
      { role: "send", address: "https://es1.example.net:9200/", note: "indices mon-*" },
      { role: "send", address: "http://es2.example.net:9200", note: "indices mon-*" },
    ]);
    expect(JSON.stringify(store.endpoints())).to.not.contain("s3cret");
  });
});
