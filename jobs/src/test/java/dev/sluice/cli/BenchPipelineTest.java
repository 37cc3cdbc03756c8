package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The harness's own logic: stage attribution, percentiles and the checks made before anything
 * starts.
 */
class BenchPipelineTest {

  @Test
  void aThreadCountsForTheStageOfItsChainsFirstOperatorAfterASource() {
    assertThat(BenchPipeline.Cpu.stage("Source: transactions-source -> transactions-decode-router"))
        .isEqualTo("ingest");
    assertThat(
            BenchPipeline.Cpu.stage(
                "transactions-validator -> (valid-transactions-sink: Writer, features-transaction)"))
        .isEqualTo("ingest");
    assertThat(
            BenchPipeline.Cpu.stage(
                "features-assembler -> (feature-rows-sink: Writer, drift-feature-values)"))
        .isEqualTo("features");
    assertThat(
            BenchPipeline.Cpu.stage(
                "scoring-fraud -> (predictions-sink: Writer, evaluation-predictions, drift-decisions)"))
        .isEqualTo("scoring");
    assertThat(BenchPipeline.Cpu.stage("evaluation-label-join -> error-stream-labelled"))
        .isEqualTo("monitoring");
    assertThat(BenchPipeline.Cpu.stage("drift-windows")).isEqualTo("monitoring");
    assertThat(BenchPipeline.Cpu.stage("Source: passthrough-source -> passthrough-sink: Writer"))
        .isEqualTo("passthrough");
    assertThat(BenchPipeline.Cpu.stage("flink-pekko.actor.default-dispatcher-#"))
        .isEqualTo("flink runtime, other threads");
    assertThat(BenchPipeline.Cpu.stage("harness: simulator")).isEqualTo("harness: simulator");
  }

  @Test
  void thePipelinesCpuLeavesOutTheHarnessAndShowsWhatNoJavaThreadAccountsFor() {
    Map<String, Long> groups = new LinkedHashMap<>();
    groups.put("scoring-fraud -> predictions-sink: Writer", 30L);
    groups.put("drift-windows", 20L);
    groups.put("harness: simulator", 40L);
    BenchPipeline.Cpu cpu = new BenchPipeline.Cpu(150, 90, groups, 0, 0);
    assertThat(cpu.harnessNanos()).isEqualTo(40);
    assertThat(cpu.pipelineNanos()).isEqualTo(110);
    assertThat(cpu.byStage())
        .containsEntry("scoring", 30L)
        .containsEntry("monitoring", 20L)
        .containsEntry("not in Java threads (GC 0.0 s, JIT 0.0 s, RocksDB native)", 60L);
  }

  @Test
  void percentilesAreNearestRankOfWhatWasRecorded() {
    BenchPipeline.Latencies latencies = new BenchPipeline.Latencies();
    for (int i = 1000; i >= 1; i--) {
      latencies.add(i);
    }
    BenchPipeline.Latencies.Summary s = latencies.summary();
    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.p50()).isEqualTo(500);
    assertThat(s.p99()).isEqualTo(990);
    assertThat(s.p999()).isEqualTo(999);
    assertThat(s.max()).isEqualTo(1000);
    assertThat(new BenchPipeline.Latencies().summary().millis()).isEqualTo("-");
  }

  @Test
  void badOptionsAreRefusedBeforeAnythingStarts() {
    assertThatThrownBy(() -> run("--runs", "passthrough,turbo"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("unknown run 'turbo'");
    assertThatThrownBy(() -> run("--duration", "5s"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--duration must be at least 20s");
    assertThatThrownBy(() -> run("--rate", "-1"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--rate must be >= 0");
    assertThatThrownBy(() -> run("--days", "0"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--days must be within 1..60");
  }

  private static void run(String... args) throws Exception {
    BenchPipeline bench = new BenchPipeline();
    new CommandLine(bench).parseArgs(args);
    bench.call();
  }
}
