import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";

/** Which execution provider to ask for: CUDA when its provider loads (else CPU), or one of them explicitly. */
export type ProviderChoice = "auto" | "cpu" | "cuda";
export type Provider = "cpu" | "cuda";

export interface OpenedSession {
  session: ort.InferenceSession;
  /** The provider that actually runs the graph. */
  provider: Provider;
  /** Why CUDA was not used, when it was wanted but not available. */
  fallbackReason: string | null;
  threads: number;
}

/** Where onnxruntime-node looks for provider libraries (beside its native binding). */
function bindingDir(): string {
  const pkg = createRequire(import.meta.url).resolve("onnxruntime-node/package.json");
  return join(dirname(pkg), "bin", "napi-v6", process.platform, process.arch);
}

/** Whether the CUDA provider library is installed at all; checked first so a CPU machine does not log a load failure. */
export function cudaLibraryPresent(): boolean {
  return existsSync(
    join(bindingDir(), process.platform === "win32" ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so"),
  );
}

/**
 * Opens an onnxruntime session on the chosen provider with one intra-op thread per core. With "auto", CUDA is tried
 * when its library is present and the session falls back to CPU (saying why) when it cannot load.
 */
export async function openSession(
  model: Uint8Array,
  choice: ProviderChoice = "auto",
  threads = availableParallelism(),
): Promise<OpenedSession> {
  const cpuOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  };
  let fallbackReason: string | null = null;
  if (choice !== "cpu") {
    if (!cudaLibraryPresent()) fallbackReason = "the CUDA provider of onnxruntime is not installed (libonnxruntime_providers_cuda missing)";
    else {
      try {
        const session = await ort.InferenceSession.create(model, { ...cpuOptions, executionProviders: ["cuda", "cpu"] });
        return { session, provider: "cuda", fallbackReason: null, threads };
      } catch (err) {
        fallbackReason = `the CUDA provider failed to load: ${(err as Error).message.split("\n")[0]}`;
      }
    }
    if (choice === "cuda") throw new Error(`CUDA was requested but ${fallbackReason}`);
  }
  return { session: await ort.InferenceSession.create(model, cpuOptions), provider: "cpu", fallbackReason, threads };
}
