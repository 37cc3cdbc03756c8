package dev.sluice.operators.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import dev.sluice.schemas.testing.TestRecords;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The validator with event time driven by hand: rules, lateness, clock jumps, duplicates, and state
 * drain.
 */
class ValidatingFunctionTest {
  private static final Duration LATENESS = Duration.ofMinutes(10);
  private static final Duration DEDUP = Duration.ofHours(1);
  private static final Instant T0 = TestRecords.APRIL_FIRST;

  private KeyedOneInputStreamOperatorTestHarness<
          String, Tuple2<SourceRecord, Transaction>, Transaction>
      harness;
  private long offset;

  @BeforeEach
  void open() throws Exception {
    RuleSet<Transaction> rules =
        RuleSet.of(
            Rules.keyPresent("key-present"),
            Rules.decimalRange(
                "amount-range",
                "amount",
                Transaction::getAmount,
                BigDecimal.ZERO,
                new BigDecimal("10000")));
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new ValidatingFunction<>(rules, Transaction::getEventTime, LATENESS, DEDUP)),
            sourced -> sourced.f1.getTransactionId(),
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void send(Transaction tx) throws Exception {
    byte[] bytes = ("bytes of " + tx.getTransactionId() + " #" + offset).getBytes();
    harness.processElement(
        new StreamRecord<>(
            Tuple2.of(TestRecords.source("transactions", offset++, bytes), tx),
            tx.getEventTime().toEpochMilli()));
  }

  private static Transaction tx(String id, Instant at, String amount) {
    Transaction tx = TestRecords.transaction(1);
    tx.setTransactionId(id);
    tx.setEventTime(at);
    tx.setAmount(new BigDecimal(amount));
    return tx;
  }

  private List<DeadLetter> deadLetters() {
    return harness.getSideOutput(ValidatingFunction.DEAD_LETTERS).stream()
        .map(StreamRecord::getValue)
        .toList();
  }

  @Test
  void validRecordsPassAndRuleFailuresAreDeadLetteredWithTheirBytes() throws Exception {
    send(tx("tx-1", T0, "10.00"));
    send(tx("tx-2", T0, "-3.00"));

    assertThat(harness.extractOutputValues())
        .extracting(Transaction::getTransactionId)
        .containsExactly("tx-1");
    DeadLetter letter = deadLetters().get(0);
    assertThat(letter.getErrorClass()).isEqualTo("amount-range");
    assertThat(letter.getReason()).isEqualTo("amount -3.00 is not > 0");
    assertThat(letter.getStage()).isEqualTo("validate");
    assertThat(letter.getOffset()).isEqualTo(1L);
    assertThat(new String(bytes(letter.getValue()))).isEqualTo("bytes of tx-2 #1");
  }

  @Test
  void missingKeyIsARuleFailure() throws Exception {
    Transaction tx = tx("tx-3", T0, "1.00");
    SourceRecord keyless = TestRecords.source("transactions", 7, new byte[] {1});
    keyless.setKey(null);
    harness.processElement(new StreamRecord<>(Tuple2.of(keyless, tx), T0.toEpochMilli()));

    assertThat(deadLetters()).extracting(DeadLetter::getErrorClass).containsExactly("key-present");
  }

  @Test
  void lateRecordsAreDeadLetteredButRecordsAheadOfTheWatermarkAreNot() throws Exception {
    harness.processWatermark(T0.toEpochMilli());
    send(tx("on-time", T0.minus(LATENESS).plusSeconds(1), "1.00"));
    send(tx("late", T0.minus(LATENESS).minusSeconds(1), "1.00"));
    send(tx("days ahead", T0.plus(Duration.ofDays(3)), "1.00"));

    assertThat(harness.extractOutputValues())
        .extracting(Transaction::getTransactionId)
        .containsExactly("on-time", "days ahead");
    assertThat(deadLetters()).extracting(DeadLetter::getErrorClass).containsExactly("late");
    assertThat(deadLetters().get(0).getReason())
        .contains("behind the watermark 2018-04-01T07:19:05Z");
  }

  @Test
  void duplicatesWithinTheHorizonAreRefusedAndStateDrainsAfterIt() throws Exception {
    send(tx("tx-9", T0, "1.00"));
    send(tx("tx-9", T0.plusSeconds(30), "2.00"));

    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(deadLetters()).extracting(DeadLetter::getErrorClass).containsExactly("duplicate-id");
    assertThat(deadLetters().get(0).getReason())
        .isEqualTo("id 'tx-9' was already accepted from transactions/0@0");
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);

    harness.processWatermark(T0.plus(DEDUP).toEpochMilli());

    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    // After the horizon the id is forgotten: a replay that far apart is accepted again.
    send(tx("tx-9", T0.plus(DEDUP).plusSeconds(1), "1.00"));
    assertThat(harness.extractOutputValues()).hasSize(2);
  }

  @Test
  void rejectedRecordsLeaveNoState() throws Exception {
    send(tx("bad", T0, "0.00"));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
