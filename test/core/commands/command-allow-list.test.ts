import { expect } from "chai";
import { COMMAND_GROUPS, commandAllowList, DEFAULT_COMMANDS } from "../../../core/commands/command-allow-list";
import { KNOWN_COMMANDS } from "../../../core/commands/parse-command";

describe("command allow-list (the Livestatus listener's commands option)", () => {
  it("puts every known command in exactly one family group, so a new command must be placed", () => {
    const families = ["acknowledgements", "downtimes", "comments", "rechecks", "removals", "results"];
    const placed = families.flatMap((g) => COMMAND_GROUPS[g]!);
    expect([...placed].sort()).to.deep.equal([...KNOWN_COMMANDS]);
  });

  it("by default takes every GUI command and no check result", () => {
    const allowed = commandAllowList(DEFAULT_COMMANDS);
    expect([...allowed].sort()).to.deep.equal(KNOWN_COMMANDS.filter((c) => !c.startsWith("PROCESS_")));
    for (const gui of [
      "ACKNOWLEDGE_SVC_PROBLEM",
      "REMOVE_HOST_ACKNOWLEDGEMENT",
      "SCHEDULE_HOST_SVC_DOWNTIME",
      "DEL_SVC_DOWNTIME",
      "ADD_HOST_COMMENT",
      "DEL_SVC_COMMENT",
      "SCHEDULE_FORCED_SVC_CHECK",
      "DEL_HOST",
    ]) {
      expect(allowed.has(gui), gui).to.equal(true);
    }
    expect(allowed.has("PROCESS_SERVICE_CHECK_RESULT")).to.equal(false);
    expect(allowed.has("PROCESS_HOST_CHECK_RESULT")).to.equal(false);
  });

  it("takes names in any case, * wildcards and groups; an empty list takes nothing", () => {
    expect([...commandAllowList(["process_*"])].sort()).to.deep.equal(["PROCESS_HOST_CHECK_RESULT", "PROCESS_SERVICE_CHECK_RESULT"]);
    expect([...commandAllowList(["*_DOWNTIME", "del_host"])].sort()).to.deep.equal([
      "DEL_HOST",
      "DEL_HOST_DOWNTIME",
      "DEL_SVC_DOWNTIME",
      "SCHEDULE_HOST_DOWNTIME",
      "SCHEDULE_HOST_SVC_DOWNTIME",
      "SCHEDULE_SVC_DOWNTIME",
    ]);
    expect([...commandAllowList(["results", "rechecks"])]).to.have.length(6);
    expect(commandAllowList(["*"]).size).to.equal(KNOWN_COMMANDS.length);
    expect(commandAllowList([]).size).to.equal(0);
  });

  it("refuses an entry that names nothing (a typo would refuse commands in silence)", () => {
    expect(() => commandAllowList(["PROCES_*"])).to.throw('commands: "PROCES_*" is no group');
    expect(() => commandAllowList(["Gui"])).to.throw('"Gui"');
    expect(() => commandAllowList(["PROCESS_FILE"])).to.throw('"PROCESS_FILE"');
  });
});
