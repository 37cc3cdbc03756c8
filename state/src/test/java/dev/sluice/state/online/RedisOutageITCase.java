package dev.sluice.state.online;

import static dev.sluice.state.online.OnlineStoreTestData.ALL;
import static dev.sluice.state.online.OnlineStoreTestData.SPENDING;
import static dev.sluice.state.online.OnlineStoreTestData.T0;
import static dev.sluice.state.online.OnlineStoreTestData.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.online.FeatureVector.Status;
import dev.sluice.state.online.OnlineFeatureStore.WriteResult;
import dev.sluice.state.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away under a writer: retries with backoff, a clear failure when it stays away (so
 * that Flink fails the task and restores), and writes going through again once it is back. Each
 * test owns its server, since the tests stop it.
 */
class RedisOutageITCase {
  private RedisServer redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopRedis() {
    redis.close();
  }

  @Test
  void aServerThatStaysDownFailsTheWriteNamingTheHostThenWritesResumeWhenItIsBack()
      throws Exception {
    RedisSettings settings =
        redis.settings().withRetries(3, Duration.ofMillis(20), Duration.ofMillis(100));
    try (RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(settings)) {
      store.write(rows(0, 50), ALL);

      redis.stop();

      assertThatThrownBy(() -> store.write(rows(1, 50), ALL))
          .isInstanceOfSatisfying(
              OnlineStoreException.class, e -> assertThat(e.attempts()).isEqualTo(4))
          .hasMessageContaining("Redis at 127.0.0.1:" + redis.port())
          .hasMessageContaining("writing 50 rows failed after 4 attempts")
          .hasMessageContaining("JedisConnectionException");
      assertThat(store.retries()).isEqualTo(3);

      redis.startAgain(); // empty, and without the script: the store must load it again

      WriteResult result = store.write(rows(2, 50), ALL);
      assertThat(result.rowsWritten()).isEqualTo(50);
      assertThat(store.read(SPENDING, "c-7", T0.plusSeconds(2)).status()).isEqualTo(Status.PRESENT);
      assertThat(store.read(SPENDING, "c-7", T0).values(Double.NaN)).containsExactly(2, 7);
    }
  }

  @Test
  void anOutageShorterThanTheRetryBudgetIsRiddenOut() throws Exception {
    RedisSettings settings =
        redis.settings().withRetries(50, Duration.ofMillis(20), Duration.ofMillis(100));
    try (RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(settings)) {
      store.write(rows(0, 10), ALL);
      redis.stop();

      CompletableFuture<WriteResult> write =
          CompletableFuture.supplyAsync(() -> store.write(rows(1, 100), ALL));
      await("a failed attempt").atMost(Duration.ofSeconds(10)).until(() -> store.retries() > 0);
      assertThat(write).isNotDone();
      redis.startAgain();

      WriteResult result = write.get();
      assertThat(result.rowsWritten()).isEqualTo(100);
      assertThat(result.retries()).isPositive();
      assertThat(store.read(SPENDING, "c-99", T0).status()).isEqualTo(Status.PRESENT);
    }
  }

  @Test
  void theSinkWriterFailsTheTaskWithTheStoresReasonAndCountsTheRetries() throws Exception {
    RedisSettings settings =
        redis.settings().withRetries(2, Duration.ofMillis(10), Duration.ofMillis(10));
    OnlineStoreWriter writer =
        new OnlineStoreWriter(
            RedisOnlineFeatureStore.open(settings),
            ALL,
            1000,
            Duration.ZERO,
            UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
            null,
            false);
    try {
      for (ViewRow r : rows(0, 20)) {
        writer.write(r, null);
      }
      redis.stop();

      assertThatThrownBy(() -> writer.flush(false))
          .isInstanceOf(OnlineStoreException.class)
          .hasMessageContaining("127.0.0.1:" + redis.port())
          .hasMessageContaining("after 3 attempts");
      assertThat(writer.retries.getCount()).isEqualTo(2);
      assertThat(writer.bufferedRows()).isEqualTo(20);

      redis.startAgain();
      writer.flush(false);
      assertThat(writer.rowsWritten.getCount()).isEqualTo(20);
    } finally {
      writer.close();
    }
  }

  @Test
  void aStoreCannotOpenOnAServerThatIsDown() {
    RedisSettings settings =
        redis.settings().withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10));
    redis.stop();

    assertThatThrownBy(() -> RedisOnlineFeatureStore.open(settings))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageContaining("127.0.0.1:" + redis.port())
        .hasMessageContaining("loading the write script failed after 2 attempts");
  }

  /** Rows of version {@code version} (event time T0 + version s) for entities c-0 ... c-(n-1). */
  private static List<ViewRow> rows(int version, int n) {
    List<ViewRow> rows = new ArrayList<>();
    for (int e = 0; e < n; e++) {
      rows.add(row(SPENDING, "c-" + e, T0.plusSeconds(version), version, e));
    }
    return rows;
  }
}
