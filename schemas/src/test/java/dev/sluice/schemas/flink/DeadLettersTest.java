package dev.sluice.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private static final Instant NOW = Instant.parse("2026-11-27T00:00:00Z");

  @Test
  void keepsKeyAndValueWholeUpToTheLimit() {
    byte[] value = random(DeadLetters.MAX_KEPT_BYTES, 1);
    byte[] key = "c-1".getBytes(StandardCharsets.UTF_8);
    DeadLetter letter =
        DeadLetters.of(
            new ConsumerRecord<>("transactions", 2, 17L, key, value), "decode", "X", "r", NOW);

    assertThat(bytes(letter.getValue())).isEqualTo(value);
    assertThat(bytes(letter.getKey())).isEqualTo(key);
    assertThat(letter.getHeaders()).isEmpty();
    assertThat(letter.getOffset()).isEqualTo(17L);
  }

  @Test
  void cutsALargerValueOrKeyAndSaysSoWithItsLengthAndHash() throws Exception {
    byte[] value = random(DeadLetters.MAX_KEPT_BYTES + 1, 2);
    byte[] key = random(3 * DeadLetters.MAX_KEPT_BYTES, 3);
    DeadLetter letter =
        DeadLetters.of(
            new ConsumerRecord<>("transactions", 0, 5L, key, value), "decode", "X", "r", NOW);

    assertThat(bytes(letter.getValue()))
        .isEqualTo(Arrays.copyOf(value, DeadLetters.MAX_KEPT_BYTES));
    assertThat(bytes(letter.getKey())).isEqualTo(Arrays.copyOf(key, DeadLetters.MAX_KEPT_BYTES));
    assertThat(header(letter, DeadLetters.VALUE_TRUNCATED_HEADER))
        .isEqualTo(value.length + " bytes, sha256 " + sha256(value));
    assertThat(header(letter, DeadLetters.KEY_TRUNCATED_HEADER))
        .isEqualTo(key.length + " bytes, sha256 " + sha256(key));
  }

  @Test
  void aTombstoneStaysNull() {
    DeadLetter letter =
        DeadLetters.of(new ConsumerRecord<>("t", 0, 0L, null, null), "decode", "EMPTY", "r", NOW);
    assertThat(letter.getValue()).isNull();
    assertThat(letter.getKey()).isNull();
  }

  private static String header(DeadLetter letter, String name) {
    ByteBuffer value = letter.getHeaders().get(name);
    assertThat(value).as(name).isNotNull();
    return StandardCharsets.UTF_8.decode(value.duplicate()).toString();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static byte[] random(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
