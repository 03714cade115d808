/**
 * oclif reads a flag value that starts like one of the command's short flags as that flag: `--sort -created` (and
 * `--sort=-created`) fail because `-c` is --config. For the flags whose listed options start with '-' (a leading '-'
 * reverses a sort), such a value is taken out of argv before oclif parses it and set on the parsed flags after.
 */
export function holdDashValues(argv: readonly string[], flags: Readonly<Record<string, unknown>>): { argv: string[]; held: Record<string, string> } {
  const out: string[] = [];
  const held: Record<string, string> = {};
  const dashOption = (name: string, value: string | undefined): boolean => {
    const options = (flags[name] as { options?: unknown } | undefined)?.options;
    return value !== undefined && value.startsWith('-') && Array.isArray(options) && options.includes(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = /^--([^=]+)(?:=(.*))?$/.exec(token);
    const name = m?.[1] ?? '';
    const inline = m?.[2];
    if (m && inline !== undefined && dashOption(name, inline)) {
      held[name] = inline;
    } else if (m && inline === undefined && dashOption(name, argv[i + 1])) {
      held[name] = argv[i + 1] ?? '';
      i++;
    } else {
      out.push(token);
    }
  }
  return { argv: out, held };
}
