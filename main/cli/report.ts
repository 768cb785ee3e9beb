/** `scilama report <run id | result.h5ad> --out <file.pdf>`: a run's report (as the app writes it), or an integration
 *  result file's, printed by Debian's Chromium. */
import { copyFileSync, existsSync } from "node:fs";
import { reportHtml } from "../analyses/integrate/report.js";
import { reportData } from "../analyses/integrate/report-data.js";
import { writeRunReport } from "../analyses/run-report.js";
import { requireChromium } from "../report/chromium.js";
import { printPdf } from "../report/pdf.js";
import { Project } from "../store/project.js";
import { appVersion } from "../version.js";
import { print, UsageError } from "./output.js";

export async function reportCommand(what: string, o: { out: string; project?: string; json: boolean }): Promise<void> {
  if (!o.out.endsWith(".pdf")) throw new UsageError("--out must name a .pdf file");
  requireChromium();
  let printer: string;
  if (/^\d+$/.test(what)) {
    if (!o.project) throw new UsageError("a run id needs --project <dir> (the project that holds the run)");
    const p = Project.open(o.project);
    try {
      const written = await writeRunReport(p, Number(what), printPdf, appVersion());
      copyFileSync(written.path, o.out);
      printer = written.printer;
    } finally {
      p.close();
    }
  } else {
    if (!existsSync(what)) throw new UsageError(`'${what}' is neither a run id nor an existing result file`);
    printer = await printPdf(reportHtml(await reportData(what, { appVersion: appVersion() })), o.out);
  }
  print(o.json, { out: o.out, printer }, () => `wrote ${o.out} (${printer})`);
}
