/**
 * The metric names of a Nagios perfdata string (`'disk /'=5;8;9 load=0.1`), which Checkmk's
 * `metrics` column lists. Labels may be single-quoted to hold spaces or `=`, with `''` for a
 * quote inside; a token without `=` is not a metric and is skipped.
 */
export function perfLabels(perfData: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = perfData.length;
  while (i < n) {
    while (i < n && perfData[i] === " ") i++;
    if (i >= n) break;
    let label = "";
    if (perfData[i] === "'") {
      i++;
      while (i < n) {
        if (perfData[i] === "'") {
          if (perfData[i + 1] === "'") {
            label += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        label += perfData.charAt(i); // i < n here: always one character
        i++;
      }
    } else {
      const start = i;
      while (i < n && perfData[i] !== "=" && perfData[i] !== " ") i++;
      label = perfData.slice(start, i);
    }
    const isMetric = perfData[i] === "=" && label !== "";
    while (i < n && perfData[i] !== " ") i++; // the value, thresholds and range up to the next space
    if (isMetric && !out.includes(label)) out.push(label);
  }
  return out;
}
