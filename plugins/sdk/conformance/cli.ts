import { parseCliArgs, UsageError, USAGE } from './args';
import { formatReport } from './report';
import { runConformance } from './run';

/** Runs the kit from a command line; answers the exit code (0 conforms, 1 a check failed, 2 usage). */
export async function main(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (!args) {
    out(USAGE);
    return 0;
  }
  const report = await runConformance(args.target, args.options);
  out(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
