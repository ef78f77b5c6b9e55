/** The value of series `name` (with its labels as written, `m{a="b"}`) in Prometheus' text format; undefined if absent. */
export function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
