/** The exit codes of `upstat`, as documented in `upstat --help`. */
export const EXIT = {
  /** `status` fetched a status; `wait` saw the upload succeed (or stop at a `--stop-on` state). */
  ok: 0,
  /** `wait`: the upload ended failed, partial, canceled or expired. */
  uploadFailed: 1,
  /** Bad usage: unknown command or provider, malformed ref or duration, missing credential. */
  usage: 2,
  /** The provider rejected the credential (401) or its permissions (403). */
  auth: 3,
  /** `wait`: the upload did not finish within `--timeout`. */
  timeout: 4,
  /** Anything else: not found, rate limited, network, server or unexpected response errors. */
  error: 5,
  /** Interrupted with Ctrl-C. */
  interrupted: 130,
} as const;
