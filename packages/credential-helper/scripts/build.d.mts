export interface BuildOptions {
  /** Default: dist/claude-bedrock.cjs. */
  outfile?: string;
  /** Stage settings JSON to embed (default: env CCB_EMBED_SETTINGS). */
  embedSettingsFile?: string;
  minify?: boolean;
  /**
   * true: the rest of the helper goes to `<outfile minus .cjs>.main.cjs` beside the entry (the npm
   * package's layout); false (default): into a trailing comment of `outfile`, one self-contained file.
   */
  split?: boolean;
}
export function build(options?: BuildOptions): Promise<string>;
/** `<outfile minus .cjs>.main.cjs`: where `split` puts the rest of the helper. */
export function mainFileFor(outfile: string): string;
