/**
 * `npm start`: opens (creating on first launch) the bundled demo project. Until the desktop shell exists it
 * says so plainly and shows the project in the terminal.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { resourcePath } from "../resources.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { projectInfoCommand, studioHome } from "./project.js";

export async function startCommand(): Promise<void> {
  const dir = join(studioHome(), "projects", "demo");
  if (!existsSync(join(dir, "project.sqlite"))) {
    const p = Project.create(dir, "Demo: PBMC 3k");
    try {
      process.stdout.write(`First launch: creating the demo project in ${dir} …\n`);
      await importDataset(p, resourcePath("demo", "pbmc3k.h5ad"), { name: "PBMC 3k (10x Genomics, Seurat tutorial)" });
    } finally {
      p.close();
    }
  }
  process.stdout.write(
    "The desktop window and browser UI are not built yet (issue #5), so sciLaMA Studio runs in the terminal for now.\n" +
      "Use `npx scilama --help` to import, inspect and preprocess data.\n\n",
  );
  projectInfoCommand(dir, false);
}
