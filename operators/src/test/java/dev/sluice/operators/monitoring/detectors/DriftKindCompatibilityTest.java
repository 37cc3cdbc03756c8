package dev.sluice.operators.monitoring.detectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DriftResult;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;

/**
 * Adding {@code ERROR_STREAM} to {@code DriftKind} is BACKWARD compatible (the drift topic's
 * level): the new schema reads every record written before. It is not FORWARD compatible (an old
 * reader cannot decode the new symbol), which is why error-stream results need consumers built with
 * the new schema.
 */
class DriftKindCompatibilityTest {
  private static final Schema CURRENT = DriftResult.getClassSchema();
  private static final Schema BEFORE =
      new Schema.Parser()
          .parse(CURRENT.toString().replace("\"CATEGORICAL\",\"ERROR_STREAM\"", "\"CATEGORICAL\""));

  @Test
  void theNewSchemaReadsRecordsWrittenWithTheOldOne() {
    assertThat(BEFORE.getField("kind").schema().getEnumSymbols())
        .containsExactly("NUMERIC", "CATEGORICAL");
    assertThat(CURRENT.getField("kind").schema().getEnumSymbols())
        .containsExactly("NUMERIC", "CATEGORICAL", "ERROR_STREAM");
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(CURRENT, BEFORE).getType())
        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(BEFORE, CURRENT).getType())
        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE);
  }
}
