/**
 * One error class with closed codes; every message says what to do. The CLI prints `toLine()` and
 * exits with the code's number, so scripts and CI can tell failures apart.
 */
export const DISTRIBUTION_EXIT_CODES = {
  ERR_USAGE: 2,
  ERR_OUTPUTS: 10,
  ERR_SETTINGS: 11,
  ERR_PACKAGE_NAME: 12,
  ERR_VERSION: 13,
  ERR_HELPER_BUILD: 20,
  ERR_TOOLCHAIN: 21,
  ERR_DOWNLOAD: 22,
  ERR_CHECKSUM: 30,
  ERR_PUBLISH: 40,
} as const;

export type DistributionErrorCode = keyof typeof DISTRIBUTION_EXIT_CODES;

export class DistributionError extends Error {
  constructor(
    readonly code: DistributionErrorCode,
    message: string,
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DistributionError";
  }
  toLine(): string {
    return `helper-distribution: ${this.code}: ${this.message}${this.fix ? `\n  fix: ${this.fix}` : ""}`;
  }
}
