/** What the benchmark scripts share: the child's peak RSS, and Debian's PyTorch for the side-by-side columns. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export const PY = "/usr/bin/python3";

export function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Installs Debian's python3-torch when missing; null when it is there, else why the PyTorch columns stay empty. */
export function ensureTorch(): string | null {
  const ok = () => spawnSync(PY, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  if (ok()) return null;
  console.log("installing Debian's python3-torch for the PyTorch side of the comparison …");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  spawnSync(
    sudo[0] ?? "apt-get",
    [...(sudo.length ? ["apt-get"] : []), "install", "-y", "-qq", "--no-install-recommends", "python3-torch"],
    { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
  );
  return ok() ? null : "python3-torch could not be installed; PyTorch columns are empty";
}

/** The `PEER <name> key=value …` line a Python peer prints, as a record. */
export function peerLine(output: string, name: string): Record<string, string> {
  const line = output.split("\n").find((l) => l.startsWith(`PEER ${name}`));
  if (!line) throw new Error(`the PyTorch peer printed no PEER ${name} line:\n${output}`);
  return Object.fromEntries(
    line
      .split(" ")
      .slice(2)
      .map((kv) => kv.split("=") as [string, string]),
  );
}
