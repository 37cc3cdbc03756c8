package dev.sluice.schemas.registry;

import java.io.Closeable;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API the platform uses.
 *
 * <p>Implementations speak to Confluent Schema Registry, Apicurio ({@code /apis/ccompat/v7}),
 * Karapace and Redpanda alike ({@link RestSchemaRegistryClient}), or keep schemas in memory for
 * unit tests ({@link MockSchemaRegistryClient}). Obtain one with {@link
 * SchemaRegistryClients#create(RegistryConfig)}.
 *
 * <p>Contract: every method either returns a non-null result or throws. A request the registry
 * refuses (4xx) throws {@link SchemaRegistryException} naming the subject or id and the registry's
 * message; a registry that cannot be reached after the configured retries throws {@link
 * RegistryUnavailableException}. Implementations are thread-safe.
 */
public interface SchemaRegistryClient extends Closeable {

  /**
   * Registers {@code schema} under {@code subject} and returns its global id. Registering a schema
   * that the subject already holds returns the existing id (idempotent). An incompatible schema is
   * refused with a {@link SchemaRegistryException} of status 409.
   */
  int register(String subject, Schema schema);

  /** Returns the id of {@code schema} if it is registered under {@code subject}; 404 otherwise. */
  int lookup(String subject, Schema schema);

  /** Returns the schema with global id {@code id}; 404 (error code 40403) when there is none. */
  Schema getById(int id);

  /** Returns the latest version registered under {@code subject}. */
  RegisteredSchema getLatest(String subject);

  /**
   * Tests {@code schema} against the latest version of {@code subject} under the subject's
   * compatibility level, without registering it. A subject that does not exist yet accepts any
   * schema.
   */
  CompatibilityResult testCompatibility(String subject, Schema schema);

  /** Sets the compatibility level of {@code subject} (e.g. BACKWARD, FULL, NONE). */
  void setCompatibility(String subject, CompatibilityLevel level);

  /** Returns all registered subjects. */
  List<String> subjects();

  @Override
  void close();
}
