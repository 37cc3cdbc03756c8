package dev.sluice.state.offline;

/**
 * A file of the offline store does not have the columns its reader expects: a column is missing or
 * has another type. Names the file and the column.
 */
public final class OfflineSchemaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String column;

  public OfflineSchemaException(String file, String column, String problem) {
    super(file + ": column '" + column + "' " + problem);
    this.file = file;
    this.column = column;
  }

  /** The file, as a URI string. */
  public String file() {
    return file;
  }

  /** The column that is missing or mistyped. */
  public String column() {
    return column;
  }
}
