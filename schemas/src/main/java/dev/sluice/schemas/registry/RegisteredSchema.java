package dev.sluice.schemas.registry;

import org.apache.avro.Schema;

/**
 * A schema as registered under a subject.
 *
 * @param subject the subject it is registered under
 * @param version its version within the subject (1, 2, ...)
 * @param id its global id, the one written into the wire format
 * @param schema the parsed Avro schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {}
