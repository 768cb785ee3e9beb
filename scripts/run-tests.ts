/**
 * Runs the unit and integration tests, two files at a time, the longest first: node's runner would start them in
 * alphabetical order, and with two workers the suite then ends well after the sum of its parts over two (the
 * trainings on real data — integration, PBMC 3k markers, panel imputation and dropouts, the drug-response model, minutes each — would start
 * late). TAP on stdout; the exit
 * code is 1 when a test fails.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "node:test";
import { tap } from "node:test/reporters";

const LONGEST_FIRST = [
  "main/test/integrate.test.ts",
  "main/test/markers-pbmc3k.test.ts",
  "main/test/impute.test.ts",
  "main/test/impute-dropouts.test.ts",
  "main/test/drug-train.test.ts",
  "main/test/drug-predict.test.ts",
];
const tests = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join(dir, f));
const all = [...tests("main/test"), ...tests("native-models/test")].sort();
const files = [...LONGEST_FIRST, ...all.filter((f) => !LONGEST_FIRST.includes(f))];

const stream = run({ files, concurrency: 2 });
stream.on("test:fail", () => {
  process.exitCode = 1;
});
stream.compose(tap).pipe(process.stdout);
