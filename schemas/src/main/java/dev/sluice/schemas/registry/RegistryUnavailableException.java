package dev.sluice.schemas.registry;

/**
 * The registry could not be reached, or kept failing with 5xx, through every retry. This is an
 * infrastructure failure, not bad data: callers let it fail the task so that Flink restores from a
 * checkpoint, and never route the record being processed to a dead-letter topic.
 */
public class RegistryUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
