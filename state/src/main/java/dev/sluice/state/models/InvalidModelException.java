package dev.sluice.state.models;

/**
 * A model version was refused: it does not load, does not match its declared signature, scores NaN,
 * or uses an output convention the scorer does not know. The message names the problem precisely
 * enough to fix it (which input, which shape, which output).
 */
public class InvalidModelException extends Exception {
  public InvalidModelException(String message) {
    super(message);
  }

  public InvalidModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
