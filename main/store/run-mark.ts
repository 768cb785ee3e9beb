/** The mark a recorded run leaves in a result folder it makes outside its project, so that no later command — with
 *  that project or without — writes into it while the run's results are listed (`runs.ts` \`markedRun\`). A module
 *  of its own: the worker side (`analyses/serve.ts`) keeps the mark without loading SQLite. */
export const RUN_MARK = ".scilama-run.json";

export interface RunMark {
  project: string;
  runId: number;
  kind: string;
}
