package dev.sluice.state.online;

import static dev.sluice.state.online.OnlineStoreTestData.ALL;
import static dev.sluice.state.online.OnlineStoreTestData.RISK;
import static dev.sluice.state.online.OnlineStoreTestData.SPENDING;
import static dev.sluice.state.online.OnlineStoreTestData.T0;
import static dev.sluice.state.online.OnlineStoreTestData.TERMINAL;
import static dev.sluice.state.online.OnlineStoreTestData.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.features.ViewSchema.Column;
import dev.sluice.state.features.ViewSchema.ValueType;
import dev.sluice.state.online.FeatureVector.Status;
import dev.sluice.state.online.OnlineFeatureStore.WriteResult;
import dev.sluice.state.testing.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The store against a real standalone redis-server: layout, guard, TTL, reads, scripts. */
class RedisOnlineFeatureStoreITCase {
  /** Wall clock of the writes (stamped into {@code _written_at}): five minutes after T0. */
  private static final Instant WRITE_TIME = T0.plusSeconds(300);

  private static RedisServer redis;
  private RedisOnlineFeatureStore store;
  private Jedis jedis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void openStore() {
    jedis = redis.connect();
    jedis.flushAll();
    store = RedisOnlineFeatureStore.open(redis.settings(), Clock.fixed(WRITE_TIME, ZoneOffset.UTC));
  }

  @AfterEach
  void closeStore() {
    store.close();
    jedis.close();
  }

  @Test
  void oneHashPerEntityAndViewWithFeaturesAndBookkeepingFields() {
    WriteResult result =
        store.write(
            List.of(
                row(SPENDING, "c-1", T0, 3, 12.5),
                row(RISK, "c-1", T0, 0, 0.125),
                row(TERMINAL, "t-9", T0.plusMillis(7), 41, 1.0)),
            ALL);

    assertThat(result).isEqualTo(new WriteResult(3, 0, 0));
    assertThat(jedis.keys("*"))
        .containsExactlyInAnyOrder(
            "sluice:{customer:c-1}:customer_spending",
            "sluice:{customer:c-1}:customer_risk",
            "sluice:{terminal:t-9}:terminal_risk");
    assertThat(jedis.hgetAll("sluice:{customer:c-1}:customer_spending"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "NB_TX_1DAY", "3",
                "AVG_AMOUNT_1DAY", "12.5",
                "_event_time", Long.toString(T0.toEpochMilli()),
                "_version", "v1",
                "_written_at", Long.toString(WRITE_TIME.toEpochMilli())));
    // LONG columns carry no ".0"; DOUBLE columns keep their shortest exact form.
    assertThat(
            jedis.hmget(
                "sluice:{terminal:t-9}:terminal_risk", "NB_TX_TERMINAL_1DAY", "RISK_TERMINAL_1DAY"))
        .containsExactly("41", "1.0");
  }

  @Test
  void theKeyPrefixComesFromTheSettings() {
    try (RedisOnlineFeatureStore prefixed =
        RedisOnlineFeatureStore.open(redis.settings().withKeyPrefix("staging:sluice"))) {
      prefixed.write(List.of(row(SPENDING, "c-1", T0, 1, 1)), ALL);

      assertThat(jedis.keys("*"))
          .containsExactly("staging:sluice:{customer:c-1}:customer_spending");
      assertThat(prefixed.read(SPENDING, "c-1", T0).status()).isEqualTo(Status.PRESENT);
      assertThat(store.read(SPENDING, "c-1", T0).status()).isEqualTo(Status.MISSING);
    }
  }

  @Test
  void everyWriteSetsTheViewsTtlAndARefusedWriteLeavesIt() {
    store.write(List.of(row(SPENDING, "c-1", T0, 1, 1), row(RISK, "c-1", T0, 1, 1)), ALL);
    String spending = RedisLayout.key("sluice", SPENDING, "c-1");

    assertThat(jedis.pttl(spending))
        .isBetween(SPENDING.ttl().minusSeconds(60).toMillis(), SPENDING.ttl().toMillis());
    assertThat(jedis.pttl(RedisLayout.key("sluice", RISK, "c-1")))
        .isBetween(RISK.ttl().minusSeconds(60).toMillis(), RISK.ttl().toMillis());

    jedis.pexpire(spending, 60_000);
    store.write(List.of(row(SPENDING, "c-1", T0.minusSeconds(1), 1, 1)), ALL);
    assertThat(jedis.pttl(spending)).isLessThanOrEqualTo(60_000);

    store.write(List.of(row(SPENDING, "c-1", T0.plusSeconds(1), 2, 2)), ALL);
    assertThat(jedis.pttl(spending)).isGreaterThan(SPENDING.ttl().minusSeconds(60).toMillis());
  }

  @Test
  void anOlderWriteIsRefusedANewerAcceptedAndAnEqualOneOverwrites() {
    store.write(List.of(row(SPENDING, "c-1", T0.plusSeconds(10), 2, 20)), ALL);

    assertThat(store.write(List.of(row(SPENDING, "c-1", T0, 1, 10)), ALL))
        .isEqualTo(new WriteResult(0, 1, 0));
    assertThat(values("c-1")).containsExactly(2, 20);

    assertThat(store.write(List.of(row(SPENDING, "c-1", T0.plusSeconds(20), 3, 30)), ALL))
        .isEqualTo(new WriteResult(1, 0, 0));
    assertThat(values("c-1")).containsExactly(3, 30);

    assertThat(store.write(List.of(row(SPENDING, "c-1", T0.plusSeconds(20), 4, 40)), ALL))
        .isEqualTo(new WriteResult(1, 0, 0));
    assertThat(values("c-1")).containsExactly(4, 40);
    assertThat(store.read(SPENDING, "c-1", T0).eventTime()).contains(T0.plusSeconds(20));
  }

  @Test
  void anOutOfOrderBatchLeavesTheNewestRowOfEveryKey() {
    List<ViewRow> rows = new ArrayList<>();
    Map<String, Integer> newest = new HashMap<>();
    for (int e = 0; e < 200; e++) {
      for (int version = 0; version < 5; version++) {
        rows.add(row(SPENDING, "c-" + e, T0.plusSeconds(version), version, e + version / 10.0));
      }
      newest.put("c-" + e, 4);
    }
    Collections.shuffle(rows, new Random(3));

    WriteResult result = store.write(rows, ALL);

    assertThat(result.rowsWritten() + result.rowsSkippedOlder()).isEqualTo(1000);
    assertThat(result.rowsSkippedOlder()).isPositive();
    for (int e = 0; e < 200; e++) {
      FeatureVector v = store.read(SPENDING, "c-" + e, T0);
      assertThat(v.values(Double.NaN)).as("c-%d", e).containsExactly(4, e + 0.4);
      assertThat(v.eventTime()).contains(T0.plusSeconds(4));
    }
    assertThat(jedis.dbSize()).isEqualTo(200);
  }

  @Test
  void readsReportPresentExpiredMissingAndVersionMismatch() {
    store.write(List.of(row(SPENDING, "c-1", T0, 3, 12.5)), ALL);

    FeatureVector present = store.read(SPENDING, "c-1", T0.plusSeconds(3600));
    assertThat(present.status()).isEqualTo(Status.PRESENT);
    assertThat(present.values(Double.NaN)).containsExactly(3, 12.5);
    assertThat(present.age()).contains(Duration.ofHours(1));
    assertThat(present.writtenAt()).contains(WRITE_TIME);
    assertThat(present.isComplete()).isTrue();

    Instant dayLater = T0.plus(SPENDING.ttl()).plusMillis(1);
    FeatureVector expired = store.read(SPENDING, "c-1", dayLater);
    assertThat(expired.status()).isEqualTo(Status.EXPIRED);
    assertThat(expired.values(Double.NaN)).containsExactly(3, 12.5);
    assertThat(expired.age()).contains(SPENDING.ttl().plusMillis(1));

    FeatureVector missing = store.read(SPENDING, "c-unknown", T0);
    assertThat(missing.status()).isEqualTo(Status.MISSING);
    assertThat(missing.missingColumns()).containsExactly("NB_TX_1DAY", "AVG_AMOUNT_1DAY");

    ViewSchema v2 =
        new ViewSchema("customer_spending", "v2", "customer", SPENDING.ttl(), SPENDING.columns());
    FeatureVector mismatch = store.read(v2, "c-1", T0);
    assertThat(mismatch.status()).isEqualTo(Status.VERSION_MISMATCH);
    assertThat(mismatch.storedVersion()).contains("v1");
  }

  @Test
  void aColumnMissingFromTheHashIsReportedMissingNotZero() {
    store.write(List.of(row(SPENDING, "c-1", T0, 3, 12.5)), ALL);
    jedis.hdel(RedisLayout.key("sluice", SPENDING, "c-1"), "AVG_AMOUNT_1DAY");

    FeatureVector v = store.read(SPENDING, "c-1", T0);

    assertThat(v.status()).isEqualTo(Status.PRESENT);
    assertThat(v.isComplete()).isFalse();
    assertThat(v.missingColumns()).containsExactly("AVG_AMOUNT_1DAY");
    assertThat(v.value("AVG_AMOUNT_1DAY")).isEmpty();
    assertThat(v.value("NB_TX_1DAY")).hasValue(3);
  }

  @Test
  void severalViewsAndEntitiesAreReadInOneCallInRequestOrder() {
    store.write(
        List.of(
            row(SPENDING, "c-1", T0, 1, 1.5),
            row(RISK, "c-1", T0, 2, 0.5),
            row(SPENDING, "c-3", T0, 3, 3.5)),
        ALL);

    assertThat(store.readViews(List.of(RISK, SPENDING), "c-1", T0))
        .extracting(v -> v.view() + "=" + v.value(0))
        .containsExactly("customer_risk=2.0", "customer_spending=1.0");
    assertThat(store.readEntities(SPENDING, List.of("c-3", "c-2", "c-1"), T0))
        .extracting(FeatureVector::entityId, FeatureVector::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("c-3", Status.PRESENT),
            org.assertj.core.groups.Tuple.tuple("c-2", Status.MISSING),
            org.assertj.core.groups.Tuple.tuple("c-1", Status.PRESENT));
    assertThat(store.readAll(List.of(), T0)).isEmpty();
  }

  @Test
  void aNewVersionReplacesTheWholeHashSoOldFeaturesDoNotLinger() {
    ViewSchema v2 =
        new ViewSchema(
            "customer_spending",
            "v2",
            "customer",
            SPENDING.ttl(),
            List.of(
                new Column("NB_TX_1DAY", ValueType.LONG),
                new Column("MAX_AMOUNT_1DAY", ValueType.DOUBLE)));
    store.write(List.of(row(SPENDING, "c-1", T0, 3, 12.5)), ALL);

    store.write(List.of(row(v2, "c-1", T0.plusSeconds(1), 4, 99.5)), List.of(v2));

    assertThat(jedis.hgetAll(RedisLayout.key("sluice", v2, "c-1")))
        .containsOnlyKeys("NB_TX_1DAY", "MAX_AMOUNT_1DAY", "_event_time", "_version", "_written_at")
        .containsEntry("_version", "v2");
    assertThat(store.read(v2, "c-1", T0).status()).isEqualTo(Status.PRESENT);
    assertThat(store.read(SPENDING, "c-1", T0).status()).isEqualTo(Status.VERSION_MISMATCH);
  }

  @Test
  void aFlushedScriptCacheIsLoadedAgainAndTheBatchGoesThrough() {
    jedis.scriptFlush();

    WriteResult result = store.write(List.of(row(SPENDING, "c-1", T0, 1, 1)), ALL);

    assertThat(result.rowsWritten()).isEqualTo(1);
    assertThat(jedis.scriptExists(RedisLayout.GUARDED_WRITE_SHA)).isTrue();
    assertThat(store.retries()).isZero();
  }

  @Test
  void aBadRowInABatchWritesNothing() {
    ViewRow stranger = row(SPENDING, "c-2", T0, 1, 1);
    stranger.view = "merchant_profile";

    assertThatThrownBy(() -> store.write(List.of(row(SPENDING, "c-1", T0, 1, 1), stranger), ALL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'merchant_profile'");
    assertThatThrownBy(() -> store.write(List.of(row(SPENDING, "c-1", T0, 1.5, 1)), ALL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NB_TX_1DAY");
    assertThat(jedis.dbSize()).isZero();
  }

  @Test
  void aKeyOfAnotherTypeFailsAtOnceWithoutRetrying() {
    String key = RedisLayout.key("sluice", SPENDING, "c-1");
    jedis.set(key, "not a hash");

    assertThatThrownBy(() -> store.write(List.of(row(SPENDING, "c-1", T0, 1, 1)), ALL))
        .isInstanceOfSatisfying(
            OnlineStoreException.class, e -> assertThat(e.attempts()).isEqualTo(1))
        .hasMessageContaining(redis.address())
        .hasMessageContaining("permanent")
        .hasMessageContaining("WRONGTYPE");
    assertThatThrownBy(() -> store.read(SPENDING, "c-1", T0))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageContaining("WRONGTYPE");
    assertThat(store.retries()).isZero();
  }

  @Test
  void passwordAndAclUserAreUsedAndAWrongPasswordFailsAtOpen() throws Exception {
    try (RedisServer secured =
        RedisServer.start(
            List.of(
                "--requirepass", "s3cret", "--user", "feast", "on", ">pw2", "~*", "&*", "+@all"))) {
      try (RedisOnlineFeatureStore withPassword =
          RedisOnlineFeatureStore.open(secured.settings().withPassword("s3cret"))) {
        withPassword.write(List.of(row(SPENDING, "c-1", T0, 1, 1)), ALL);
        assertThat(withPassword.read(SPENDING, "c-1", T0).status()).isEqualTo(Status.PRESENT);
      }
      try (RedisOnlineFeatureStore asUser =
          RedisOnlineFeatureStore.open(secured.settings().withCredentials("feast", "pw2"))) {
        assertThat(asUser.read(SPENDING, "c-1", T0).status()).isEqualTo(Status.PRESENT);
      }

      assertThatThrownBy(
              () -> RedisOnlineFeatureStore.open(secured.settings().withPassword("wrong")))
          .isInstanceOfSatisfying(
              OnlineStoreException.class, e -> assertThat(e.attempts()).isEqualTo(1))
          .hasMessageContaining(secured.address())
          .hasMessageContaining("permanent");
    }
  }

  @Test
  void theDatabaseIndexSeparatesStores() {
    try (RedisOnlineFeatureStore db3 =
        RedisOnlineFeatureStore.open(redis.settings().withDatabase(3))) {
      db3.write(List.of(row(SPENDING, "c-1", T0, 1, 1)), ALL);

      assertThat(db3.read(SPENDING, "c-1", T0).status()).isEqualTo(Status.PRESENT);
      assertThat(store.read(SPENDING, "c-1", T0).status()).isEqualTo(Status.MISSING);
      jedis.select(3);
      assertThat(jedis.dbSize()).isEqualTo(1);
    }
  }

  private double[] values(String entityId) {
    return store.read(SPENDING, entityId, T0).values(Double.NaN);
  }
}
