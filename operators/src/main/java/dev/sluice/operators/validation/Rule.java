package dev.sluice.operators.validation;

import dev.sluice.avro.SourceRecord;
import java.io.Serializable;

/**
 * One named validation rule over a decoded record. Rules are declared as data (see {@link Rules}
 * for the building blocks and the jobs' rule sets for the declarations) and counted per rule in
 * Flink metrics.
 *
 * @param <T> the record type
 */
public interface Rule<T> extends Serializable {

  /** Short kebab-case name, used as the dead-letter error class and the metric group. */
  String name();

  /**
   * Returns null when {@code value} passes, otherwise the reason it does not, precise enough for
   * the producer to fix it (e.g. "amount -3.00 is not > 0").
   *
   * @param source the Kafka record the value was decoded from (key, headers, position)
   */
  String check(T value, SourceRecord source);
}
