/** Identifies a provider in errors, messages and refs. */
export interface ProviderInfo {
  /** Stable id, e.g. `pandadoc`. */
  readonly id: string;
  /** Name for people, e.g. `PandaDoc`. */
  readonly name: string;
}
