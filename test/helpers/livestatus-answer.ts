/**
 * Reading Livestatus answers the way a client would, for tests that compare answers of
 * different servers or check what a GUI would make of them: the fixed16 header, the csv,
 * json and Python bodies, and the request's own headers. Also an exchange made the way
 * shared/peer/capture.pl makes it, so that Tantale is asked exactly as icinga2 was.
 */
import { LivestatusClient } from "./livestatus-client";

/** A `ResponseHeader: fixed16` answer split into status and body; throws when the header is malformed or the length is wrong. */
export function splitFixed16(answer: string): { status: number; length: number; body: string } {
  const m = /^(\d{3}) ([ \d]{11})\n/.exec(answer);
  if (m === null) throw new Error(`not a fixed16 answer: ${JSON.stringify(answer.slice(0, 40))}`);
  const body = answer.slice(16);
  const length = Number(m[2]!.trim());
  const actual = Buffer.byteLength(body, "utf8");
  if (length !== actual) throw new Error(`fixed16 length ${length} but the body has ${actual} bytes`);
  return { status: Number(m[1]), length, body };
}

/** The header lines of a request (after the request line), as [name, value] in order. */
export function requestHeaders(request: string): [string, string][] {
  const lines = request.split("\n").map((l) => l.replace(/\r$/, ""));
  const end = lines.indexOf("", 1);
  return lines.slice(1, end < 0 ? undefined : end).map((l) => {
    const colon = l.indexOf(":");
    return colon < 0 ? [l, ""] : [l.slice(0, colon), l.slice(colon + 1).trimStart()];
  });
}

/** The value of the last header `name` of the request, undefined when absent. */
export function requestHeader(request: string, name: string): string | undefined {
  let found: string | undefined;
  for (const [n, v] of requestHeaders(request)) if (n === name) found = v;
  return found;
}

/** The request without its header lines named `name` (e.g. a query without its Limit). */
export function withoutHeader(request: string, name: string): string {
  return request
    .split("\n")
    .filter((l) => !l.startsWith(`${name}:`))
    .join("\n");
}

/** The four csv separators of a request (`Separators:` in decimal ASCII, or the defaults). */
export function csvSeparators(request: string): { dataset: string; field: string; list: string; hostService: string } {
  const s = requestHeader(request, "Separators");
  if (s === undefined) return { dataset: "\n", field: ";", list: ",", hostService: "|" };
  const [dataset, field, list, hostService] = s.split(/\s+/).map((n) => String.fromCharCode(Number(n)));
  return { dataset: dataset!, field: field!, list: list!, hostService: hostService! };
}

/** A csv body as rows of text fields (every row is terminated by the dataset separator; lists stay text). */
export function parseCsv(body: string, sep: { dataset: string; field: string }): string[][] {
  if (body === "") return [];
  const rows = body.split(sep.dataset);
  if (rows[rows.length - 1] !== "") throw new Error(`csv body does not end with the dataset separator: ${JSON.stringify(body.slice(-40))}`);
  return rows.slice(0, -1).map((r) => r.split(sep.field));
}

/** A value of a Python literal: what `ast.literal_eval` would give, as JSON-like data. */
export type PyValue = null | boolean | number | string | PyValue[] | { [key: string]: PyValue };

/**
 * Parses a Python literal (lists, tuples, dicts, numbers, None/True/False, strings with
 * optional r/u/b prefixes, single or double quotes) with Python 3's rules, so that a test
 * sees what a Python client (Multisite, Nagstamon) gets from `ast.literal_eval`. In a raw
 * string (`r"..."`) a backslash escapes nothing: `r"\""` is backslash + quote, as in Python.
 */
export function parsePython(text: string): PyValue {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`python literal: ${what} at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "[" || c === "(") return sequence(c === "[" ? "]" : ")");
    if (c === "{") return dict();
    if (text.startsWith("None", i)) return ((i += 4), null);
    if (text.startsWith("True", i)) return ((i += 4), true);
    if (text.startsWith("False", i)) return ((i += 5), false);
    const num = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num !== null) return ((i += num[0].length), Number(num[0]));
    const prefix = /^[rRuUbB]{0,2}(?=["'])/.exec(text.slice(i));
    if (prefix !== null) return string(prefix[0]);
    return fail("unexpected character");
  };
  const sequence = (close: string): PyValue[] => {
    i++;
    const out: PyValue[] = [];
    for (;;) {
      ws();
      if (text[i] === close) return (i++, out);
      out.push(value());
      ws();
      if (text[i] === ",") i++;
      else if (text[i] !== close) fail(`expected , or ${close}`);
    }
  };
  const dict = (): { [key: string]: PyValue } => {
    i++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      ws();
      if (text[i] === "}") return (i++, out);
      const key = value();
      const name = typeof key === "string" || typeof key === "number" ? String(key) : fail("expected a str or int dict key");
      ws();
      if (text[i++] !== ":") fail("expected :");
      out[name] = value();
      ws();
      if (text[i] === ",") i++;
      else if (text[i] !== "}") fail("expected , or }");
    }
  };
  const string = (prefix: string): string => {
    i += prefix.length;
    const raw = /[rR]/.test(prefix);
    const quote = text[i++]!;
    let out = "";
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text[i++]!;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const n = text[i++]!;
      if (raw) {
        // A raw string keeps the backslash; it only stops the next quote from ending the string.
        out += c + n;
        continue;
      }
      const simple: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\n": "" };
      const escaped = simple[n];
      if (escaped !== undefined) out += escaped;
      else if (n === "x") {
        out += String.fromCharCode(parseInt(text.slice(i, i + 2), 16));
        i += 2;
      } else if (n === "u") {
        out += String.fromCharCode(parseInt(text.slice(i, i + 4), 16));
        i += 4;
      } else if (n === "U") {
        out += String.fromCodePoint(parseInt(text.slice(i, i + 8), 16));
        i += 8;
      } else if (/[0-7]/.test(n)) {
        const oct = /^[0-7]{1,3}/.exec(text.slice(i - 1))![0];
        out += String.fromCharCode(parseInt(oct, 8));
        i += oct.length - 1;
      } else out += c + n; // Python keeps unknown escapes as they are
    }
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing text");
  return v;
}

/**
 * One exchange made as shared/peer/capture.pl makes it: a fresh connection, the requests
 * written one after the other (each but the last must ask for fixed16: its answer is read
 * before the next is sent), the write side shut down after the last one unless it asks
 * `KeepAlive: on`, then everything read until the server closes (or `idleMs` pass, as
 * capture.pl's 3 s select timeout). One text per request, "" when nothing came.
 */
export async function captureExchange(target: number, requests: readonly string[], idleMs = 3000): Promise<string[]> {
  const client = await LivestatusClient.connect(target);
  try {
    const out: string[] = [];
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      client.send(request);
      if (i < requests.length - 1) {
        out.push((await client.answer()).raw);
        continue;
      }
      if (!/^KeepAlive:\s*on/m.test(request)) client.socket.end();
      try {
        out.push(await client.rest(idleMs));
      } catch {
        // still open after idleMs (a kept-alive connection): what came so far is the answer
        out.push((await client.read(client.buffered, 100)).toString("utf8"));
      }
    }
    return out;
  } finally {
    client.destroy();
  }
}
