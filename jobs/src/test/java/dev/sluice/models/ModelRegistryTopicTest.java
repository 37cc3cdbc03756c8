package dev.sluice.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jobs.Topics;
import dev.sluice.state.models.ModelRegistryLog;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice topics create} makes the registry's topic exactly as the registry itself would, so
 * the registry accepts it.
 */
class ModelRegistryTopicTest {
  @Test
  void topicsCreateTheRegistryTopicAsTheRegistryDoes() {
    assertThat(Topics.ALL).contains(Topics.MODEL_REGISTRY);
    assertThat(Topics.MODEL_REGISTRY.name()).isEqualTo(ModelRegistryLog.DEFAULT_TOPIC);
    assertThat(Topics.MODEL_REGISTRY.partitions()).isEqualTo(1);
    assertThat(Topics.MODEL_REGISTRY.compacted()).isTrue();
    assertThat(Topics.MODEL_REGISTRY.configs()).isEqualTo(ModelRegistryLog.topicConfigs());
  }

  @Test
  void theOtherTopicsStillDeleteByAge() {
    assertThat(Topics.TRANSACTIONS.compacted()).isFalse();
    assertThat(Topics.TRANSACTIONS.configs())
        .isEqualTo(
            Map.of(
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                "LogAppendTime",
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG,
                Long.toString(7L * 24 * 3600 * 1000)));
  }
}
