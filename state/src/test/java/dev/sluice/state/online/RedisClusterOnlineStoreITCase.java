package dev.sluice.state.online;

import static dev.sluice.state.online.OnlineStoreTestData.ALL;
import static dev.sluice.state.online.OnlineStoreTestData.RISK;
import static dev.sluice.state.online.OnlineStoreTestData.SPENDING;
import static dev.sluice.state.online.OnlineStoreTestData.T0;
import static dev.sluice.state.online.OnlineStoreTestData.TERMINAL;
import static dev.sluice.state.online.OnlineStoreTestData.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.online.FeatureVector.Status;
import dev.sluice.state.online.OnlineFeatureStore.WriteResult;
import dev.sluice.state.testing.RedisClusterProcess;
import dev.sluice.state.testing.RedisServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The same store against a real three-node Redis Cluster. */
class RedisClusterOnlineStoreITCase {
  private static final int ENTITIES = 300;

  private static RedisClusterProcess cluster;
  private RedisOnlineFeatureStore store;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterProcess.start();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @BeforeEach
  void openStore() {
    for (RedisServer node : cluster.nodes()) {
      try (Jedis jedis = node.connect()) {
        jedis.flushAll();
      }
    }
    store = RedisOnlineFeatureStore.open(cluster.settings());
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void keysSpreadOverAllNodesAndAnEntitysViewsShareANode() {
    List<ViewRow> rows = new ArrayList<>();
    for (int e = 0; e < ENTITIES; e++) {
      rows.add(row(SPENDING, "c-" + e, T0, e, e / 2.0));
      rows.add(row(RISK, "c-" + e, T0, e % 3, 0.5));
    }

    WriteResult result = store.write(rows, ALL);

    assertThat(result).isEqualTo(new OnlineFeatureStore.WriteResult(2 * ENTITIES, 0, 0));
    Map<String, Long> keys = cluster.keysPerNode();
    assertThat(keys.values()).hasSize(3).allSatisfy(n -> assertThat(n).isGreaterThan(50));
    assertThat(keys.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2L * ENTITIES);
    for (RedisServer node : cluster.nodes()) {
      try (Jedis jedis = node.connect()) {
        for (String key : jedis.keys("*")) {
          String other =
              key.endsWith(":customer_spending")
                  ? key.replace(":customer_spending", ":customer_risk")
                  : key.replace(":customer_risk", ":customer_spending");
          assertThat(jedis.exists(other))
              .as("%s next to %s on %s", other, key, node.address())
              .isTrue();
        }
      }
    }
    for (int e = 0; e < ENTITIES; e += 7) {
      List<FeatureVector> views = store.readViews(List.of(SPENDING, RISK), "c-" + e, T0);
      assertThat(views).extracting(FeatureVector::status).containsOnly(Status.PRESENT);
      assertThat(views.get(0).values(Double.NaN)).containsExactly(e, e / 2.0);
    }
  }

  @Test
  void theGuardWorksOnEveryNodeWithOutOfOrderBatches() {
    List<ViewRow> rows = new ArrayList<>();
    for (int e = 0; e < ENTITIES; e++) {
      for (int version = 0; version < 3; version++) {
        rows.add(row(TERMINAL, "t-" + e, T0.plusSeconds(version), version, e));
      }
    }
    Collections.shuffle(rows, new Random(11));

    WriteResult result = store.write(rows, ALL);

    assertThat(result.rowsWritten() + result.rowsSkippedOlder()).isEqualTo(3 * ENTITIES);
    assertThat(result.rowsSkippedOlder()).isPositive();
    List<String> ids = new ArrayList<>();
    for (int e = 0; e < ENTITIES; e++) {
      ids.add("t-" + e);
    }
    List<FeatureVector> vectors = store.readEntities(TERMINAL, ids, T0);
    for (int e = 0; e < ENTITIES; e++) {
      assertThat(vectors.get(e).values(Double.NaN)).as("t-%d", e).containsExactly(2, e);
    }
    assertThat(store.write(List.of(row(TERMINAL, "t-1", T0, 9, 9)), ALL).rowsSkippedOlder())
        .isEqualTo(1);
    assertThat(store.read(TERMINAL, "t-404", T0).status()).isEqualTo(Status.MISSING);
  }

  @Test
  void aNodeThatLostItsScriptsGetsThemAgain() {
    for (RedisServer node : cluster.nodes()) {
      try (Jedis jedis = node.connect()) {
        jedis.scriptFlush();
      }
    }
    List<ViewRow> rows = new ArrayList<>();
    for (int e = 0; e < 60; e++) {
      rows.add(row(SPENDING, "c-" + e, T0, 1, 1));
    }

    assertThat(store.write(rows, ALL).rowsWritten()).isEqualTo(60);
    for (RedisServer node : cluster.nodes()) {
      try (Jedis jedis = node.connect()) {
        assertThat(jedis.scriptExists(RedisLayout.GUARDED_WRITE_SHA)).isTrue();
      }
    }
  }
}
