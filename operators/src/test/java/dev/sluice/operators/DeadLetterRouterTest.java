package dev.sluice.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import java.time.Instant;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

class DeadLetterRouterTest {

  @Test
  void rightGoesOnAndLeftGoesToTheSideOutputWithItsTimestamp() throws Exception {
    try (OneInputStreamOperatorTestHarness<Either<DeadLetter, String>, String> harness =
        new OneInputStreamOperatorTestHarness<>(
            new ProcessOperator<>(new DeadLetterRouter<String>()))) {
      harness.open();
      DeadLetter letter = letter(41);

      harness.processElement(Either.Right("tx-1"), 1_000L);
      harness.processElement(Either.Left(letter), 2_000L);
      harness.processElement(Either.Right("tx-2"), 3_000L);

      assertThat(harness.extractOutputValues()).containsExactly("tx-1", "tx-2");
      assertThat(harness.getSideOutput(DeadLetterRouter.DEAD_LETTERS))
          .extracting(StreamRecord::getValue, StreamRecord::getTimestamp)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(letter, 2_000L));
    }
  }

  static DeadLetter letter(long offset) {
    return DeadLetter.newBuilder()
        .setTopic("transactions")
        .setPartition(0)
        .setOffset(offset)
        .setStage("decode")
        .setErrorClass("EMPTY")
        .setReason("value is empty")
        .setFailedAt(Instant.EPOCH)
        .build();
  }
}
