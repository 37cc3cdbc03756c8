package dev.sluice.schemas.registry;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * How a serializer picks the subject a schema is registered under; the same three strategies as
 * Confluent's serializers, so subjects line up with what other teams' producers use.
 */
public enum SubjectNameStrategy {
  /**
   * {@code <topic>-value} / {@code <topic>-key}: one schema lineage per topic (Confluent's
   * default).
   */
  TOPIC_NAME,
  /** The record's full name: one lineage per record type, shared by every topic that carries it. */
  RECORD_NAME,
  /**
   * {@code <topic>-<record full name>}: several record types per topic, each with its own lineage.
   */
  TOPIC_RECORD_NAME;

  /** Returns the subject for {@code schema} written to {@code topic} as key or value. */
  public String subjectName(String topic, boolean isKey, Schema schema) {
    return switch (this) {
      case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
      case RECORD_NAME -> fullName(schema);
      case TOPIC_RECORD_NAME -> topic + "-" + fullName(schema);
    };
  }

  private static String fullName(Schema schema) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException(
          "record-name subject strategies need a record schema, got " + schema.getType());
    }
    return schema.getFullName();
  }

  /**
   * Parses a strategy from configuration: the enum name, a kebab-case name ({@code
   * topic-record-name}) or the class name Confluent users put in {@code
   * value.subject.name.strategy}.
   */
  public static SubjectNameStrategy parse(String text) {
    String simple = text.substring(text.lastIndexOf('.') + 1).trim();
    String normalized =
        simple.replace("Strategy", "").replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_');
    try {
      return valueOf(normalized.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown subject name strategy '"
              + text
              + "': use topic-name, record-name or topic-record-name",
          e);
    }
  }
}
