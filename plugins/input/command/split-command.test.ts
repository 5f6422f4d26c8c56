import { expect } from "chai";
import { splitCommand } from "./split-command";

describe("command input: splitting a command line (no shell)", () => {
  const words = (line: string) => {
    const r = splitCommand(line);
    return r.ok ? r.argv : r.reason;
  };

  it("splits on blanks, keeps quoted blanks, takes backslash escapes", () => {
    expect(words("/usr/lib/nagios/plugins/check_disk  -w 10% -c 5%\t-p /")).to.deep.equal([
      "/usr/lib/nagios/plugins/check_disk",
      "-w",
      "10%",
      "-c",
      "5%",
      "-p",
      "/",
    ]);
    expect(words(`check_http -u '/a b' --header "X-A: \\"q\\" \\$x \\n" a\\ b ''`)).to.deep.equal([
      "check_http",
      "-u",
      "/a b",
      "--header",
      'X-A: "q" $x \\n',
      "a b",
      "",
    ]);
    expect(words("sh -c 'df -P / | tail -1'")).to.deep.equal(["sh", "-c", "df -P / | tail -1"]);
    expect(words(`a"b c"'d'e`)).to.deep.equal(["ab cde"]);
  });

  it("refuses what a shell would not run", () => {
    expect(words("check 'open")).to.equal("unclosed single quote");
    expect(words('check "open')).to.equal("unclosed double quote");
    expect(words("check \\")).to.equal("a backslash ends the line");
    expect(words("   ")).to.equal("no command");
  });
});
