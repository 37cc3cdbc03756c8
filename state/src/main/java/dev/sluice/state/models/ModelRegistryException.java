package dev.sluice.state.models;

/**
 * A registry request that cannot be carried out as asked: an unknown model or version, an alias
 * that is not set, nothing to roll back to, a malformed name. Nothing was written. The message
 * names the problem and what exists instead; {@link #problem()} lets callers branch without parsing
 * it.
 */
public class ModelRegistryException extends IllegalArgumentException {
  /** What was wrong with the request. */
  public enum Problem {
    INVALID_NAME,
    UNKNOWN_MODEL,
    UNKNOWN_VERSION,
    UNKNOWN_ALIAS,
    ALIAS_NOT_SET,
    ALREADY_SET,
    NOTHING_TO_ROLL_BACK
  }

  private final Problem problem;

  public ModelRegistryException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
