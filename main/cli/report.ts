/** `scilama report <run id | result.h5ad> --out <file.pdf>`: the integration report, printed by Debian's Chromium. */
import { copyFileSync, existsSync } from "node:fs";
import { reportHtml } from "../analyses/integrate/report.js";
import { reportData } from "../analyses/integrate/report-data.js";
import { Studio } from "../api/studio.js";
import { printPdf } from "../report/pdf.js";
import { print, UsageError } from "./output.js";
import { appVersion } from "./start.js";

export async function reportCommand(what: string, o: { out: string; project?: string; json: boolean }): Promise<void> {
  if (!o.out.endsWith(".pdf")) throw new UsageError("--out must name a .pdf file");
  let printer: string;
  if (/^\d+$/.test(what)) {
    if (!o.project) throw new UsageError("a run id needs --project <dir> (the project that holds the run)");
    let used = "";
    const studio = new Studio(appVersion(), async (html, out) => {
      used = await printPdf(html, out);
      return used;
    });
    try {
      const { path } = await studio.report(o.project, Number(what));
      copyFileSync(path, o.out);
    } finally {
      await studio.close();
    }
    printer = used;
  } else {
    if (!existsSync(what)) throw new UsageError(`'${what}' is neither a run id nor an existing result file`);
    printer = await printPdf(reportHtml(await reportData(what, { appVersion: appVersion() })), o.out);
  }
  print(o.json, { out: o.out, printer }, () => `wrote ${o.out} (${printer})`);
}
