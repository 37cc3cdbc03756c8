package dev.sluice.state.online;

/**
 * The online store could not do what was asked: Redis stayed unreachable or kept failing through
 * every retry, refused a command for good (authentication, wrong key type), or holds data it did
 * not write. The message names the Redis deployment and the cause. Thrown from a Flink sink it
 * fails the task, so that Flink restores from the last checkpoint and replays; the writes are
 * idempotent, so the replay is safe.
 */
public class OnlineStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int attempts;

  public OnlineStoreException(String message) {
    this(message, null, 0);
  }

  public OnlineStoreException(String message, Throwable cause) {
    this(message, cause, 0);
  }

  public OnlineStoreException(String message, Throwable cause, int attempts) {
    super(message, cause);
    this.attempts = attempts;
  }

  /** How many times the operation was tried before giving up; 0 when it was not tried. */
  public int attempts() {
    return attempts;
  }
}
