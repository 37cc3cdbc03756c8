package dev.sluice.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.operators.features.FeatureEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.api.java.tuple.Tuple2;
import org.junit.jupiter.api.Test;

/** What the feature job writes to the dead-letter topic when a view drops a record as late. */
class FeatureDeadLettersTest {
  private static final Instant KNOWN = Instant.parse("2018-04-09T08:00:00Z");
  private static final Instant TX_TIME = Instant.parse("2018-04-02T10:15:00Z");

  @Test
  void aLateRecordNamesTheViewTheEventAndTheTimes() {
    FeatureEvent e = new FeatureEvent();
    e.entityId = "t-00917";
    e.eventId = "tx-000000001234";
    e.time = TX_TIME.toEpochMilli();
    e.knownAt = KNOWN.toEpochMilli();
    e.input = 1;

    DeadLetter letter = FeatureWorkflow.lateDeadLetter(Tuple2.of("terminal_risk", e));

    assertThat(letter.getStage()).isEqualTo("features");
    assertThat(letter.getErrorClass()).isEqualTo("late");
    assertThat(StandardCharsets.UTF_8.decode(letter.getKey()).toString())
        .isEqualTo("tx-000000001234");
    assertThat(letter.getValue()).isNull();
    assertThat(letter.getRecordTimestamp()).isEqualTo(KNOWN);
    assertThat(letter.getTopic()).isEqualTo("terminal_risk/input-1");
    assertThat(letter.getReason())
        .contains("terminal_risk")
        .contains("tx-000000001234")
        .contains("t-00917")
        .contains("2018-04-02T10:15:00Z")
        .contains("allowed lateness");
  }

  @Test
  void anIncompleteRowNamesTheEvent() {
    DeadLetter letter = FeatureWorkflow.incompleteDeadLetter("tx-000000000042");

    assertThat(letter.getStage()).isEqualTo("features");
    assertThat(letter.getErrorClass()).isEqualTo("incomplete-row");
    assertThat(StandardCharsets.UTF_8.decode(letter.getKey()).toString())
        .isEqualTo("tx-000000000042");
    assertThat(letter.getReason()).contains("tx-000000000042").contains("allowed lateness");
  }
}
