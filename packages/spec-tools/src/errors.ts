/** A problem with the input a spec tool was given: a missing file, a document that is not OpenAPI, a stale overlay. */
export class SpecToolError extends Error {
  override readonly name: string = 'SpecToolError';
}

/** One or more overlay actions matched nothing: the fix they carry no longer applies to the spec. */
export class OverlayError extends SpecToolError {
  override readonly name: string = 'OverlayError';
  constructor(
    message: string,
    /** The actions that matched nothing, as `#<index> <target>` labels. */
    readonly unmatched: string[],
  ) {
    super(message);
  }
}
