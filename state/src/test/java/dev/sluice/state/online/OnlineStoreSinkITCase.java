package dev.sluice.state.online;

import static dev.sluice.state.online.OnlineStoreTestData.ALL;
import static dev.sluice.state.online.OnlineStoreTestData.RISK;
import static dev.sluice.state.online.OnlineStoreTestData.SPENDING;
import static dev.sluice.state.online.OnlineStoreTestData.T0;
import static dev.sluice.state.online.OnlineStoreTestData.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.online.FeatureVector.Status;
import dev.sluice.state.testing.FlinkTestCluster;
import dev.sluice.state.testing.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The sink in a real Flink job on a MiniCluster (parallelism 2), writing to a real Redis. */
class OnlineStoreSinkITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  private static final int ENTITIES = 500;
  private static final int VERSIONS = 4;

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void emptyRedis() {
    try (Jedis jedis = redis.connect()) {
      jedis.flushAll();
    }
  }

  @Test
  void twoParallelWritersLeaveTheNewestRowOfEveryEntityAndView() throws Exception {
    // Every entity gets VERSIONS rows per view, shuffled, and spread over both writers: which one
    // writes last is up to the scheduler, the store must still end with the newest.
    List<ViewRow> rows = new ArrayList<>();
    for (int e = 0; e < ENTITIES; e++) {
      for (int v = 0; v < VERSIONS; v++) {
        Instant time = T0.plusSeconds(60L * v);
        rows.add(row(SPENDING, "c-" + e, time, v, e + v / 10.0));
        rows.add(row(RISK, "c-" + e, time, v, v / 100.0));
      }
    }
    Collections.shuffle(rows, new Random(5));

    StreamExecutionEnvironment env = environment();
    env.fromData(rows)
        .rebalance()
        .sinkTo(new OnlineStoreSink(redis.settings(), ALL, 64, Duration.ofMillis(50)))
        .name("online-store")
        .uid("online-store");
    env.execute("online store sink test");

    try (RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(redis.settings())) {
      Instant asOf = T0.plusSeconds(3600);
      for (int e = 0; e < ENTITIES; e++) {
        List<FeatureVector> views = store.readViews(List.of(SPENDING, RISK), "c-" + e, asOf);
        int newest = VERSIONS - 1;
        assertThat(views).extracting(FeatureVector::status).containsOnly(Status.PRESENT);
        assertThat(views.get(0).values(Double.NaN))
            .as("c-%d", e)
            .containsExactly(newest, e + newest / 10.0);
        assertThat(views.get(1).values(Double.NaN)).containsExactly(newest, newest / 100.0);
        assertThat(views.get(0).eventTime()).contains(T0.plusSeconds(60L * newest));
      }
    }
    try (Jedis jedis = redis.connect()) {
      assertThat(jedis.dbSize()).isEqualTo(2L * ENTITIES);
    }
  }

  @Test
  void aRowOfAnUnknownViewFailsTheJobNamingTheView() {
    ViewRow stranger = row(SPENDING, "c-1", T0, 1, 1);
    stranger.view = "merchant_profile";
    StreamExecutionEnvironment env = environment();
    env.fromData(List.of(row(SPENDING, "c-0", T0, 1, 1), stranger))
        .sinkTo(new OnlineStoreSink(redis.settings(), List.of(SPENDING)))
        .name("online-store")
        .uid("online-store");

    assertThatThrownBy(() -> env.execute("unknown view"))
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'merchant_profile'");
  }

  private static StreamExecutionEnvironment environment() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false); // ViewRow must travel as a POJO, not Kryo
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    return env;
  }
}
