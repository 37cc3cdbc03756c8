package dev.sluice.state.online;

import static dev.sluice.state.online.OnlineStoreTestData.RISK;
import static dev.sluice.state.online.OnlineStoreTestData.SPENDING;
import static dev.sluice.state.online.OnlineStoreTestData.T0;
import static dev.sluice.state.online.OnlineStoreTestData.TERMINAL;
import static dev.sluice.state.online.OnlineStoreTestData.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema.Column;
import dev.sluice.state.features.ViewSchema.ValueType;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

/** Keys, value encoding and the judging of stored values, without Redis. */
class RedisLayoutTest {
  private static final Column COUNT = new Column("NB_TX", ValueType.LONG);
  private static final Column AMOUNT = new Column("AMOUNT", ValueType.DOUBLE);

  @Test
  void keyIsPrefixThenEntityHashTagThenView() {
    assertThat(RedisLayout.key("sluice", SPENDING, "c-00042"))
        .isEqualTo("sluice:{customer:c-00042}:customer_spending");
    assertThat(RedisLayout.key("prod:sluice", TERMINAL, "t-7"))
        .isEqualTo("prod:sluice:{terminal:t-7}:terminal_risk");
  }

  @Test
  void allViewsOfAnEntityShareOneSlotAndEntitiesSpreadOverSlots() {
    Set<Integer> slots = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = "c-" + i;
      int slot = JedisClusterCRC16.getSlot(RedisLayout.key("sluice", SPENDING, id));
      assertThat(JedisClusterCRC16.getSlot(RedisLayout.key("sluice", RISK, id))).isEqualTo(slot);
      slots.add(slot);
    }
    assertThat(slots).hasSizeGreaterThan(900);
    // The same id of another entity is another key, usually in another slot.
    assertThat(RedisLayout.key("sluice", TERMINAL, "c-1"))
        .isNotEqualTo(RedisLayout.key("sluice", SPENDING, "c-1"));
  }

  @Test
  void anEntityIdWithBracesStillKeepsAllViewsOfTheEntityTogether() {
    String id = "odd}{id";
    assertThat(JedisClusterCRC16.getSlot(RedisLayout.key("sluice", SPENDING, id)))
        .isEqualTo(JedisClusterCRC16.getSlot(RedisLayout.key("sluice", RISK, id)));
  }

  @Test
  void emptyEntityIdIsRefused() {
    assertThatThrownBy(() -> RedisLayout.key("sluice", SPENDING, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("customer_spending");
    assertThatThrownBy(() -> RedisLayout.key("sluice", SPENDING, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void longColumnsAreWrittenAsIntegersWithoutFraction() {
    assertThat(RedisLayout.format(COUNT, 17.0)).isEqualTo("17");
    assertThat(RedisLayout.format(COUNT, -3.0)).isEqualTo("-3");
    assertThat(RedisLayout.format(COUNT, 0.0)).isEqualTo("0");
    assertThat(RedisLayout.format(COUNT, -0.0)).isEqualTo("0");
    assertThat(RedisLayout.format(COUNT, 0x1p53)).isEqualTo("9007199254740992");
  }

  @Test
  void longColumnsRefuseValuesThatAreNotWholeNumbers() {
    for (double bad : new double[] {2.5, Double.NaN, Double.POSITIVE_INFINITY, 1e19}) {
      assertThatThrownBy(() -> RedisLayout.format(COUNT, bad))
          .as("value %s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("NB_TX")
          .hasMessageContaining("LONG");
    }
  }

  @Test
  void doubleColumnsRoundTripExactly() {
    assertThat(RedisLayout.format(AMOUNT, 3.0)).isEqualTo("3.0");
    assertThat(RedisLayout.format(AMOUNT, 0.1)).isEqualTo("0.1");
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      double v = Double.longBitsToDouble(random.nextLong());
      if (Double.isNaN(v)) {
        continue;
      }
      assertThat(Double.parseDouble(RedisLayout.format(AMOUNT, v))).isEqualTo(v);
    }
    assertThat(Double.parseDouble(RedisLayout.format(AMOUNT, Double.NaN))).isNaN();
  }

  @Test
  void scriptArgumentsCarryTimeVersionWrittenAtTtlThenFeaturePairs() {
    ViewRow r = row(SPENDING, "c-1", T0, 3, 12.5);

    assertThat(RedisLayout.scriptArgs(SPENDING, r, 1_700_000_000_000L))
        .containsExactly(
            Long.toString(T0.toEpochMilli()),
            "v1",
            "1700000000000",
            Long.toString(Duration.ofDays(1).toMillis()),
            "NB_TX_1DAY",
            "3",
            "AVG_AMOUNT_1DAY",
            "12.5");
  }

  @Test
  void aLongValueThatIsNotWholeNamesTheViewAndEntity() {
    assertThatThrownBy(() -> RedisLayout.scriptArgs(SPENDING, row(SPENDING, "c-9", T0, 1.5, 2), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NB_TX_1DAY")
        .hasMessageContaining("customer_spending")
        .hasMessageContaining("c-9");
  }

  @Test
  void rowsMustMatchTheirSchemasVersionAndWidth() {
    ViewRow otherVersion = row(SPENDING, "c-1", T0, 1, 2);
    otherVersion.version = "v0";
    assertThatThrownBy(() -> RedisLayout.checkRow(SPENDING, otherVersion))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version v0")
        .hasMessageContaining("version v1");
    assertThatThrownBy(() -> RedisLayout.checkRow(SPENDING, row(SPENDING, "c-1", T0, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 values")
        .hasMessageContaining("2 columns");
  }

  @Test
  void readAsksForTheColumnsInSchemaOrderThenTheMetadata() {
    assertThat(RedisLayout.readFields(SPENDING))
        .containsExactly("NB_TX_1DAY", "AVG_AMOUNT_1DAY", "_event_time", "_version", "_written_at");
  }

  @Test
  void scriptIsNamedByItsSha1() {
    assertThat(RedisLayout.GUARDED_WRITE_SHA).matches("[0-9a-f]{40}");
    assertThat(RedisLayout.GUARDED_WRITE_SCRIPT).contains("unpack(ARGV, 5)").contains("PEXPIRE");
  }

  @Test
  void allNilRepliesMeanMissing() {
    FeatureVector v = decode(SPENDING, T0, Arrays.asList(null, null, null, null, null));

    assertThat(v.status()).isEqualTo(FeatureVector.Status.MISSING);
    assertThat(v.eventTime()).isEmpty();
    assertThat(v.age()).isEmpty();
    assertThat(v.missingColumns()).containsExactly("NB_TX_1DAY", "AVG_AMOUNT_1DAY");
  }

  @Test
  void freshValuesArePresentWithTheirAgeAndWriteTime() {
    Instant eventTime = T0.minusSeconds(90);
    FeatureVector v =
        decode(SPENDING, T0, List.of("4", "12.5", millis(eventTime), "v1", millis(T0)));

    assertThat(v.status()).isEqualTo(FeatureVector.Status.PRESENT);
    assertThat(v.isServable()).isTrue();
    assertThat(v.values(Double.NaN)).containsExactly(4.0, 12.5);
    assertThat(v.eventTime()).contains(eventTime);
    assertThat(v.writtenAt()).contains(T0);
    assertThat(v.age()).contains(Duration.ofSeconds(90));
    assertThat(v.storedVersion()).contains("v1");
    assertThat(v.isComplete()).isTrue();
  }

  @Test
  void valuesOlderThanTheTtlAreExpiredButStillReportedWithTheirAge() {
    Instant exactlyTtlOld = T0.minus(SPENDING.ttl());
    assertThat(decode(SPENDING, T0, List.of("4", "1.5", millis(exactlyTtlOld), "v1", "0")).status())
        .isEqualTo(FeatureVector.Status.PRESENT);

    Instant older = exactlyTtlOld.minusMillis(1);
    FeatureVector v = decode(SPENDING, T0, List.of("4", "1.5", millis(older), "v1", "0"));

    assertThat(v.status()).isEqualTo(FeatureVector.Status.EXPIRED);
    assertThat(v.isServable()).isFalse();
    assertThat(v.values(Double.NaN)).containsExactly(4.0, 1.5);
    assertThat(v.age()).contains(SPENDING.ttl().plusMillis(1));
  }

  @Test
  void anotherStoredVersionIsAMismatchEvenWhenFresh() {
    FeatureVector v = decode(SPENDING, T0, List.of("4", "1.5", millis(T0), "v0", millis(T0)));

    assertThat(v.status()).isEqualTo(FeatureVector.Status.VERSION_MISMATCH);
    assertThat(v.storedVersion()).contains("v0");
    assertThat(v.isServable()).isFalse();
  }

  @Test
  void aColumnAbsentFromTheHashIsMissingNotZero() {
    FeatureVector v = decode(SPENDING, T0, Arrays.asList("4", null, millis(T0), "v1", millis(T0)));

    assertThat(v.status()).isEqualTo(FeatureVector.Status.PRESENT);
    assertThat(v.isComplete()).isFalse();
    assertThat(v.isPresent(0)).isTrue();
    assertThat(v.isPresent(1)).isFalse();
    assertThat(v.missingColumns()).containsExactly("AVG_AMOUNT_1DAY");
    assertThat(v.value("AVG_AMOUNT_1DAY")).isEmpty();
    assertThat(v.values(-1)).containsExactly(4.0, -1.0);
  }

  @Test
  void aHashWithoutEventTimeWasNotWrittenByTheStore() {
    assertThatThrownBy(() -> decode(SPENDING, T0, Arrays.asList("4", "1.5", null, null, null)))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageContaining("sluice:{customer:c-1}:customer_spending")
        .hasMessageContaining("_event_time");
    assertThatThrownBy(() -> decode(SPENDING, T0, List.of("four", "1.5", "0", "v1", "0")))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageContaining("NB_TX_1DAY")
        .hasMessageContaining("four");
  }

  private static FeatureVector decode(
      dev.sluice.state.features.ViewSchema schema, Instant asOf, List<String> reply) {
    return RedisLayout.decode(schema, "c-1", RedisLayout.key("sluice", schema, "c-1"), asOf, reply);
  }

  private static String millis(Instant instant) {
    return Long.toString(instant.toEpochMilli());
  }
}
