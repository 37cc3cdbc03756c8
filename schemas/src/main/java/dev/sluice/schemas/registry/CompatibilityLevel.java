package dev.sluice.schemas.registry;

/** Compatibility levels of the Confluent API, with the same names and meanings. */
public enum CompatibilityLevel {
  NONE,
  BACKWARD,
  BACKWARD_TRANSITIVE,
  FORWARD,
  FORWARD_TRANSITIVE,
  FULL,
  FULL_TRANSITIVE
}
