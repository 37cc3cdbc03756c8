package dev.sluice.state.models;

import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.ModelVersion;
import java.io.IOException;

/**
 * A durable model registry shared by the CLI, training runs and every scoring task. Writes are
 * validated, numbered and appended to a log; reads see the log's current end.
 */
public interface ModelRegistry extends AutoCloseable {
  /**
   * Validates and registers a new version.
   *
   * @param candidate the version; its {@code version} and {@code sha256} fields are (re)assigned
   * @return the registered version, with its number
   * @throws InvalidModelException if the validator refuses it; nothing is written
   */
  ModelVersion register(ModelVersion candidate) throws InvalidModelException, IOException;

  /** The registry as of the log's current end. */
  RegistryState read() throws IOException;

  /** Moves an alias to a version (which must exist). */
  AliasChange promote(String name, int version, String alias, String reason) throws IOException;

  /** Removes an alias. */
  AliasChange demote(String name, String alias, String reason) throws IOException;

  /** Moves an alias back to its previous target. */
  AliasChange rollback(String name, String alias, String reason) throws IOException;

  @Override
  void close();
}
