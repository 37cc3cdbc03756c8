package dev.sluice.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * In-memory registry for unit tests of logic only; never for a job talking to real producers.
 * Selected with {@code schema.registry.url=mock://<scope>}: every client of one scope sees the same
 * schemas (as with Confluent's {@code mock://}), so a serializer and a deserializer in one test
 * share them.
 *
 * <p>Ids are global and content-addressed like Confluent's: the same schema under two subjects has
 * one id. Compatibility follows the level set per subject (default BACKWARD) using Avro's
 * reader/writer rules.
 */
public final class MockSchemaRegistryClient implements SchemaRegistryClient {
  private static final Map<String, MockSchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

  private final Map<Schema, Integer> idsBySchema = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, List<Schema>> versionsBySubject = new HashMap<>();
  private final Map<String, CompatibilityLevel> levels = new HashMap<>();

  /** The shared instance of {@code scope} (the part after {@code mock://}). */
  public static MockSchemaRegistryClient forScope(String scope) {
    return SCOPES.computeIfAbsent(scope, s -> new MockSchemaRegistryClient());
  }

  /** Forgets {@code scope}, so the next test starts empty. */
  public static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    List<Schema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (versions.contains(schema)) {
      return idsBySchema.get(schema);
    }
    CompatibilityResult compatibility = testCompatibility(subject, schema);
    if (!compatibility.compatible()) {
      throw new SchemaRegistryException(
          "schema being registered is incompatible with an earlier schema for subject '"
              + subject
              + "': "
              + compatibility.messages(),
          409,
          409);
    }
    versions.add(schema);
    return idsBySchema.computeIfAbsent(
        schema,
        s -> {
          int id = schemasById.size() + 1;
          schemasById.put(id, s);
          return id;
        });
  }

  @Override
  public synchronized int lookup(String subject, Schema schema) {
    List<Schema> versions = versionsBySubject.getOrDefault(subject, List.of());
    if (!versions.contains(schema)) {
      throw new SchemaRegistryException(
          "schema not found under subject '" + subject + "'",
          404,
          SchemaRegistryException.SCHEMA_NOT_FOUND);
    }
    return idsBySchema.get(schema);
  }

  @Override
  public synchronized Schema getById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException(
          "schema id " + id + " not found", 404, SchemaRegistryException.SCHEMA_NOT_FOUND);
    }
    return schema;
  }

  @Override
  public synchronized RegisteredSchema getLatest(String subject) {
    List<Schema> versions = versionsBySubject.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw new SchemaRegistryException(
          "subject '" + subject + "' not found", 404, SchemaRegistryException.SUBJECT_NOT_FOUND);
    }
    Schema latest = versions.get(versions.size() - 1);
    return new RegisteredSchema(subject, versions.size(), idsBySchema.get(latest), latest);
  }

  @Override
  public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
    List<Schema> versions = versionsBySubject.getOrDefault(subject, List.of());
    if (versions.isEmpty()) {
      return new CompatibilityResult(true, List.of());
    }
    CompatibilityLevel level = levels.getOrDefault(subject, CompatibilityLevel.BACKWARD);
    List<Schema> against =
        level.name().endsWith("TRANSITIVE") ? versions : List.of(versions.get(versions.size() - 1));
    List<String> messages = new ArrayList<>();
    for (Schema existing : against) {
      if (level.name().startsWith("BACKWARD") || level.name().startsWith("FULL")) {
        check(schema, existing, messages); // new schema must read old data
      }
      if (level.name().startsWith("FORWARD") || level.name().startsWith("FULL")) {
        check(existing, schema, messages); // old schema must read new data
      }
    }
    return new CompatibilityResult(messages.isEmpty(), messages);
  }

  private static void check(Schema reader, Schema writer, List<String> messages) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      result.getResult().getIncompatibilities().forEach(i -> messages.add(i.toString()));
    }
  }

  @Override
  public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
    levels.put(subject, level);
  }

  @Override
  public synchronized List<String> subjects() {
    return new ArrayList<>(versionsBySubject.keySet());
  }

  @Override
  public void close() {
    // shared by scope: closing one client must not empty the others
  }
}
