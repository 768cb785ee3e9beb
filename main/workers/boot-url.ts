/** The script every worker thread starts from (it registers the TypeScript loader, then imports `workerData.entry`). */
export const WORKER_BOOT = new URL("./boot.js", import.meta.url);
