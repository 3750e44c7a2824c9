/** The pilot stage's release as the tests build it: from the pilot outputs (written into `root`), quietly. */
import { buildDistribution, type BuildManifest, type BuildOptions } from "../../src/build";
import { writePilotOutputs } from "./stage";

export interface PilotBuild extends Omit<BuildOptions, "stage" | "outputsFile" | "outDir" | "targets" | "log"> {
  /** Always named: the default (every target) downloads runtimes and takes minutes. */
  readonly targets: BuildOptions["targets"];
  /** The helper settings in the outputs; the realistic pilot's unless given. */
  readonly settings?: Record<string, unknown>;
}

export function buildPilotRelease(root: string, outDir: string, { settings, ...options }: PilotBuild): Promise<BuildManifest> {
  return buildDistribution({ stage: "pilot", outputsFile: writePilotOutputs(root, settings), outDir, log: () => undefined, ...options });
}
