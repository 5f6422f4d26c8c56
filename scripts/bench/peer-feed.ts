/**
 * The results ../shared/peer/feed.pl sends, as the same Nagios command lines, so that Tantale
 * and the icinga2 peer get byte for byte the same results: hosts `host-0001`…, services
 * `svc-01`…; service (i,j) is in state k < 17 ? 0 : k - 16 with k = (7i + 3j + round) mod 20
 * (85 % OK, 5 % each WARNING, CRITICAL, UNKNOWN); host i is DOWN when (i + round) mod 50 = 0.
 * Each output carries `tag`, which the "until visible" poll looks for.
 */
const SERVICE_STATES = ["OK", "WARNING", "CRITICAL", "UNKNOWN"] as const;

export function hostName(i: number, hosts: number): string {
  return `host-${String(i).padStart(Math.max(4, String(hosts).length), "0")}`;
}

function serviceName(j: number, services: number): string {
  return `svc-${String(j).padStart(Math.max(2, String(services).length), "0")}`;
}

/** `PROCESS_SERVICE_CHECK_RESULT` lines for every service (or `PROCESS_HOST_CHECK_RESULT` for every host), `[timestamp]` first. */
export function resultLines(kind: "services" | "hosts", hosts: number, services: number, round: number, tag: string, timestamp: number): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= hosts; i++) {
    const h = hostName(i, hosts);
    if (kind === "hosts") {
      const down = (i + round) % 50 === 0;
      lines.push(
        `[${timestamp}] PROCESS_HOST_CHECK_RESULT;${h};${down ? 1 : 0};${down ? "DOWN" : "UP"} - ${h} ${tag}|rta=${((i % 97) / 10).toFixed(3)}ms;100;200;0`,
      );
      continue;
    }
    for (let j = 1; j <= services; j++) {
      const s = serviceName(j, services);
      const k = (7 * i + 3 * j + round) % 20;
      const state = k < 17 ? 0 : k - 16;
      lines.push(
        `[${timestamp}] PROCESS_SERVICE_CHECK_RESULT;${h};${s};${state};${SERVICE_STATES[state]!} - ${h}/${s} ${tag}|value=${(i * j) % 101};80;90;0;100`,
      );
    }
  }
  return lines;
}

/** The query feed.pl -w polls: how many hosts or services show `tag` (a one-number answer). */
export function visibleQuery(table: "hosts" | "services", tag: string): string {
  return `GET ${table}\nFilter: plugin_output ~ ${tag}\nStats: state >= 0\n\n`;
}

/** Whether the last host or service resultLines() sends shows `tag` (answered 1 or 0): a cheap poll, one object. */
export function lastShowsQuery(table: "hosts" | "services", hosts: number, services: number, tag: string): string {
  const object =
    table === "hosts"
      ? `Filter: name = ${hostName(hosts, hosts)}\n`
      : `Filter: host_name = ${hostName(hosts, hosts)}\nFilter: description = ${serviceName(services, services)}\n`;
  return `GET ${table}\n${object}Filter: plugin_output ~ ${tag}\nStats: state >= 0\n\n`;
}
