package dev.sluice.schemas.registry;

/**
 * The registry answered, and refused the request (4xx): unknown subject or id, incompatible or
 * invalid schema, wrong credentials. Retrying the same request will not help.
 */
public class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Confluent error code for "schema not found" (an unknown id). */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Confluent error code for "subject not found". */
  public static final int SUBJECT_NOT_FOUND = 40401;

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode) {
    super(message);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /**
   * HTTP status the registry answered with (e.g. 404, 409, 422), or 0 for the in-memory registry.
   */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * Confluent error code from the response body (e.g. 40403); registries that do not fill it in
   * (Apicurio sends 0) leave {@link #httpStatus()} as the reliable signal.
   */
  public int errorCode() {
    return errorCode;
  }

  /** Whether this means "there is no such subject, version or schema". */
  public boolean isNotFound() {
    return httpStatus == 404 || errorCode / 100 == 404;
  }
}
