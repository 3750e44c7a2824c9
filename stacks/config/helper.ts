import * as path from "node:path";
import type { Reader } from "./problems";

/** `stage.helper`: settings of the credential helper on developer machines that no area owns. */
export interface HelperConfig {
  /**
   * A PEM file of extra root CAs every helper call trusts (published as the settings' `caBundle`):
   * for networks whose proxy inspects TLS with the organisation's own root.
   */
  readonly caBundlePath?: string;
}

const PEM_FILE = /\.(?:pem|crt|cer)$/i;

/** Parses `stage.helper`; every key is optional. */
export function parseHelperConfig(r: Reader | undefined): HelperConfig {
  if (!r || !r.has("caBundlePath")) return {};
  const caBundlePath = r.str("caBundlePath", { hint: "the absolute path of a PEM file of root CAs on developer machines" });
  if (!caBundlePath) return {};
  // The helper resolves a relative path against its own install directory, and this stage ships no
  // file there: only a path the machines' management (MDM, golden image) places is meaningful here.
  if (!path.posix.isAbsolute(caBundlePath) && !path.win32.isAbsolute(caBundlePath))
    r.p.add(
      r.key("caBundlePath"),
      `"${caBundlePath}" is not an absolute path: give the path where developer machines hold the corporate root CA file, e.g. /etc/ssl/certs/corp-root-ca.pem or C:\\ProgramData\\corp\\root-ca.pem`,
    );
  else if (!PEM_FILE.test(caBundlePath))
    r.p.add(r.key("caBundlePath"), `"${caBundlePath}" is not a PEM file: the helper reads .pem, .crt or .cer files of PEM certificates`);
  return { caBundlePath };
}
