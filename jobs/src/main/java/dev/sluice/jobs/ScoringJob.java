package dev.sluice.jobs;

import dev.sluice.avro.FeatureRow;
import dev.sluice.jobs.scoring.ScoringWorkflow;
import dev.sluice.operators.scoring.ScorerFactory;
import dev.sluice.state.CheckpointSettings;
import java.util.Objects;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The standalone scoring job, for when features are computed by another job: reads {@code
 * feature-rows}, scores each row with the registered model ({@link ScoringWorkflow}) and writes
 * predictions, exactly once. Undecodable rows and rows that cannot be scored go to the dead-letter
 * topic.
 */
public final class ScoringJob {
  public static final String JOB_NAME = "sluice scoring";

  private ScoringJob() {}

  /**
   * @param input how {@code featureRowsTopic} is read
   * @param featureRowsTopic the rows to score
   * @param deadLetterTopic where undecodable rows go
   * @param scoring the model, the registry's log and the prediction topic
   */
  public record Config(
      FeatureJob.KafkaInput input,
      String featureRowsTopic,
      String deadLetterTopic,
      ScoringWorkflow.Config scoring,
      CheckpointSettings checkpoints) {
    public Config {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(featureRowsTopic, "featureRowsTopic");
      Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
      Objects.requireNonNull(scoring, "scoring");
    }
  }

  public static JobClient start(StreamExecutionEnvironment env, Config c, ScorerFactory scorers)
      throws Exception {
    FeatureJob.Decoded<FeatureRow> rows =
        FeatureJob.decode(
            env, c.input(), c.featureRowsTopic(), FeatureRow.class, FeatureRow::getEventTime);
    ScoringWorkflow.attach(rows.records(), c.scoring(), scorers);
    rows.deadLetters()
        .sinkTo(
            KafkaConnectors.deadLetterSink(
                c.input().kafka(),
                c.input().registry(),
                c.deadLetterTopic(),
                c.input().groupId() + "-dead-letters"))
        .uid("scoring-input-dead-letter-sink")
        .name("scoring-input-dead-letter-sink");
    return env.executeAsync(JOB_NAME);
  }
}
