package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.PlatformJob;
import dev.sluice.operators.scoring.OnnxScorer;
import dev.sluice.schemas.testing.RegistryProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamFilter;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.runtime.operators.TimestampsAndWatermarksOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The platform job's operator uids, as {@code sluice job platform} builds the graph (without
 * running it): every operator that can hold state (sources, sinks, keyed and broadcast operators,
 * anything not known to be stateless) has an explicit uid, and the uids are exactly those in {@code
 * platform-job-uids.txt}. A savepoint maps state to operators by uid: a renamed or dropped uid
 * orphans that state, and the upgrade from an older savepoint fails (or, with
 * --allow-non-restored-state, silently loses e.g. the dedup ids or feature windows). An ITCase only
 * because building the scoring stage registers the prediction schema with a real registry.
 */
class PlatformJobUidsITCase {
  private static final String COMMITTED = "platform-job-uids.txt";
  private static RegistryProcess registry;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = RegistryProcess.start();
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  /** One node of the graph, for messages. */
  private record Node(String name, String uid, String kind, boolean mayHoldState) {}

  @Test
  void everyOperatorThatCanHoldStateHasTheUidItHadInTheCommittedList(@TempDir Path tmp)
      throws Exception {
    List<Node> nodes = nodes(tmp);

    List<Node> withoutUid =
        nodes.stream().filter(n -> n.mayHoldState() && n.uid() == null).toList();
    assertThat(withoutUid)
        .as(
            "operators that can hold state but have no .uid(...): Flink derives one from the graph's"
                + " shape, which changes with any edit, so their state would not survive an upgrade")
        .isEmpty();

    Set<String> uids = new TreeSet<>();
    nodes.stream().filter(Node::mayHoldState).forEach(n -> uids.add(n.uid()));
    Set<String> committed = committed();
    Set<String> gone = new TreeSet<>(committed);
    gone.removeAll(uids);
    Set<String> added = new TreeSet<>(uids);
    added.removeAll(committed);
    assertThat(gone)
        .as(
            "uids in %s that the job no longer has: savepoints taken by the previous version hold"
                + " state under these uids, which the new version cannot restore (the restore fails;"
                + " with --allow-non-restored-state the state is dropped). Keep the uid when renaming"
                + " an operator; if dropping the state is intended, remove it from the list and say"
                + " in the release notes that upgrades need --allow-non-restored-state. Graph:%n%s",
            COMMITTED, table(nodes))
        .isEmpty();
    assertThat(added)
        .as(
            "new uids: add them to %s (src/test/resources) so that renaming them later fails this"
                + " test. Graph:%n%s",
            COMMITTED, table(nodes))
        .isEmpty();
  }

  @Test
  void stateIsRecognisedByTheRule(@TempDir Path tmp) throws Exception {
    // The rule must not be vacuous: sources, keyed operators and sinks are in the graph and count.
    List<Node> nodes = nodes(tmp);
    // transactions, labels and the model registry's log (the features take ingest's output in-job).
    assertThat(nodes).filteredOn(n -> n.kind().equals("source")).hasSizeGreaterThanOrEqualTo(3);
    assertThat(nodes).filteredOn(n -> n.kind().equals("keyed")).hasSizeGreaterThanOrEqualTo(3);
    assertThat(nodes)
        .filteredOn(n -> n.name().contains("Writer") || n.name().contains("Committer"))
        .isNotEmpty()
        .allMatch(Node::mayHoldState);
    assertThat(nodes).filteredOn(n -> !n.mayHoldState()).isNotEmpty();
  }

  @Test
  void thePlatformJobRunsWithObjectReuseAndShortBufferAndWatermarkIntervals(@TempDir Path tmp)
      throws Exception {
    // Tuning of issue 9 (bench pipeline): no defensive copies between chained operators; network
    // buffers and watermarks at 10 ms / 50 ms instead of Flink's 100 ms / 200 ms.
    StreamExecutionEnvironment env = platform(tmp);
    assertThat(env.getConfig().isObjectReuseEnabled()).isTrue();
    assertThat(env.getConfig().getAutoWatermarkInterval()).isEqualTo(50L);
    assertThat(env.getStreamGraph(false).getStreamNodes())
        .allSatisfy(n -> assertThat(n.getBufferTimeout()).isEqualTo(10L));
  }

  private static List<Node> nodes(Path tmp) throws Exception {
    StreamExecutionEnvironment env = platform(tmp);
    StreamGraph graph = env.getStreamGraph(false);
    List<Node> nodes = new ArrayList<>();
    for (StreamNode node : graph.getStreamNodes()) {
      String kind;
      boolean state;
      if (graph.getSourceIDs().contains(node.getId())) {
        kind = "source";
        state = true;
      } else if (node.getStateKeySerializer() != null) {
        kind = "keyed";
        state = true;
      } else {
        StreamOperator<?> operator =
            node.getOperatorFactory() instanceof SimpleOperatorFactory<?> simple
                ? simple.getOperator()
                : null;
        kind =
            operator == null
                ? node.getOperatorFactory().getClass().getSimpleName()
                : operator.getClass().getSimpleName();
        state = !knownStateless(operator);
      }
      nodes.add(new Node(node.getOperatorName(), node.getTransformationUID(), kind, state));
    }
    return nodes;
  }

  /** The platform job as `sluice job platform` builds it, not started. */
  private static StreamExecutionEnvironment platform(Path tmp) throws Exception {
    JobCommand.Platform command = new JobCommand.Platform();
    new CommandLine(command)
        .parseArgs(
            "--model",
            "fraud",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--registry-url",
            registry.url(),
            "--checkpoint-dir",
            tmp.resolve("checkpoints").toUri().toString(),
            "--offline-store",
            tmp.resolve("offline").toUri().toString(),
            "--redis",
            "127.0.0.1:1");
    PlatformJob.Config config = command.config();
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(config.checkpoints()));
    PlatformJob.attach(env, config, OnnxScorer.FACTORY);
    return env;
  }

  /** Built-in operators without state of their own, running a function without operator state. */
  private static boolean knownStateless(StreamOperator<?> operator) {
    if (operator == null) {
      return false;
    }
    if (operator instanceof TimestampsAndWatermarksOperator<?>) {
      return true;
    }
    boolean plain =
        operator instanceof StreamMap<?, ?>
            || operator instanceof StreamFilter<?>
            || operator instanceof StreamFlatMap<?, ?>
            || operator instanceof ProcessOperator<?, ?>;
    if (!plain) {
      return false;
    }
    Function function = ((AbstractUdfStreamOperator<?, ?>) operator).getUserFunction();
    return !(function instanceof CheckpointedFunction);
  }

  private static Set<String> committed() throws IOException {
    try (InputStream in = PlatformJobUidsITCase.class.getResourceAsStream("/" + COMMITTED)) {
      assertThat(in).as("src/test/resources/%s", COMMITTED).isNotNull();
      Set<String> uids = new TreeSet<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String uid = line.strip();
        if (!uid.isEmpty() && !uid.startsWith("#")) {
          uids.add(uid);
        }
      }
      return uids;
    }
  }

  private static String table(List<Node> nodes) {
    StringBuilder out = new StringBuilder();
    for (Node n : nodes) {
      out.append(
          String.format(
              "  %-45s uid=%-40s %-32s %s%n",
              n.name(), n.uid(), n.kind(), n.mayHoldState() ? "may hold state" : "stateless"));
    }
    return out.toString();
  }
}
