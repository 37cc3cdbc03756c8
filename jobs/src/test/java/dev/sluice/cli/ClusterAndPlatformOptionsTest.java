package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cli.infra.FlinkCluster;
import dev.sluice.cli.infra.FlinkRestClient;
import dev.sluice.cli.infra.Layout;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.PlatformJob;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What {@code sluice cluster ...}, {@code sluice job platform} and the savepoint options turn into,
 * and what they refuse, without a cluster.
 */
class ClusterAndPlatformOptionsTest {

  private static PlatformJob.Config platform(String... args) {
    JobCommand.Platform command = new JobCommand.Platform();
    new CommandLine(command).parseArgs(args);
    return command.config();
  }

  private static ClusterCommand.Submit submit(String... args) {
    ClusterCommand.Submit command = new ClusterCommand.Submit();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void platformWiresTheStagesTogetherWithOneGroupPrefixAndOneCheckpointConfiguration() {
    PlatformJob.Config c =
        platform(
            "--model",
            "fraud",
            "--group-id",
            "blue",
            "--monitor-from",
            "2018-05-08T00:00:00Z",
            "--checkpoint-dir",
            "file:///tmp/cp",
            "--no-offline-store");
    assertThat(c.ingest().transactionsTopic()).isEqualTo("transactions");
    assertThat(c.features().transactionsTopic()).isEqualTo(c.ingest().validTransactionsTopic());
    assertThat(c.features().labelsTopic()).isEqualTo(c.ingest().validLabelsTopic());
    assertThat(c.ingest().groupId()).isEqualTo("blue-ingest");
    assertThat(c.features().groupId()).isEqualTo("blue-features");
    assertThat(c.scoring().transactionalIdPrefix()).isEqualTo("blue-scoring");
    assertThat(c.monitoring().transactionalIdPrefix()).isEqualTo("blue-monitoring");
    assertThat(c.scoring().settings().modelName()).isEqualTo("fraud");
    assertThat(c.monitoring().drift().monitorFrom())
        .isEqualTo(Instant.parse("2018-05-08T00:00:00Z"));
    assertThat(c.features().offlineStore()).isNull();
    assertThat(c.features().archive()).isFalse();
    assertThat(c.checkpoints().checkpointDir().toString()).isEqualTo("file:///tmp/cp");
    assertThat(c.features().checkpoints()).isEqualTo(c.checkpoints());
  }

  @Test
  void platformRefusesWhatItCannotRunNamingTheOption() {
    assertThatThrownBy(() -> platform()).hasMessageContaining("--model is required");
    assertThatThrownBy(() -> platform("--model", "fraud", "--monitor-from", "yesterday"))
        .hasMessageContaining("--monitor-from must be an ISO-8601 instant")
        .hasMessageContaining("'yesterday'");
    assertThatThrownBy(() -> platform("--model", "fraud", "--group-id", " "))
        .hasMessageContaining("--group-id is blank");
    assertThatThrownBy(() -> platform("--model", "fraud", "--terminal-risk", "psychic"))
        .hasMessageContaining("psychic");
  }

  @Test
  void platformConfigRefusesStagesThatDoNotConnect() {
    PlatformJob.Config c = platform("--model", "fraud");
    var features = c.features();
    var elsewhere =
        new dev.sluice.jobs.FeatureJob.Config(
            features.bootstrapServers(),
            features.registry(),
            "other-transactions",
            features.labelsTopic(),
            features.featureRowsTopic(),
            features.deadLetterTopic(),
            features.groupId(),
            features.startFrom(),
            features.timing(),
            features.terminalRisk(),
            features.redis(),
            features.offlineStore(),
            features.archive(),
            features.bounded(),
            features.checkpoints());
    assertThatThrownBy(
            () -> new PlatformJob.Config(c.ingest(), elsewhere, c.scoring(), c.monitoring()))
        .hasMessageContaining("'valid-transactions'")
        .hasMessageContaining("'other-transactions'");
  }

  @Test
  void fromSavepointSetsFlinksStateRecoveryOptions() {
    JobOptions none = options();
    assertThat(none.restore()).isEqualTo(FlinkEnvironments.Restore.NONE);
    assertThat(none.restore().applyTo(new Configuration()).get(StateRecoveryOptions.SAVEPOINT_PATH))
        .isNull();

    JobOptions from =
        options("--from-savepoint", "file:///sp/savepoint-1", "--allow-non-restored-state");
    Configuration conf = from.restore().applyTo(new Configuration());
    assertThat(conf.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo("file:///sp/savepoint-1");
    assertThat(conf.get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE)).isTrue();
    assertThat(conf.toMap())
        .containsEntry("execution.state-recovery.path", "file:///sp/savepoint-1")
        .containsEntry("execution.state-recovery.ignore-unclaimed-state", "true");

    assertThatThrownBy(() -> options("--allow-non-restored-state").restore())
        .hasMessageContaining("--allow-non-restored-state needs --from-savepoint");
    assertThatThrownBy(() -> options("--from-savepoint", " ").restore())
        .hasMessageContaining("--from-savepoint is blank");
  }

  @Test
  void everyStreamingJobTakesTheSavepointOptions() {
    CommandLine cli = SluiceCli.commandLine();
    CommandLine job = cli.getSubcommands().get("job");
    for (String name : List.of("ingest", "features", "score", "event-count", "platform")) {
      assertThat(job.getSubcommands().get(name).getCommandSpec().findOption("--from-savepoint"))
          .as(name)
          .isNotNull();
      assertThat(
              job.getSubcommands()
                  .get(name)
                  .getCommandSpec()
                  .findOption("--allow-non-restored-state"))
          .as(name)
          .isNotNull();
    }
  }

  private static JobOptions options(String... args) {
    JobOptions options = new JobOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  @Test
  void submitRunsTheJobOnTheClusterWithTheCheckoutsCheckpointDirectory(@TempDir Path var) {
    Layout layout = Layout.of(var, var);
    FlinkRestClient.RunRequest request =
        submit("--parallelism", "2", "--", "job", "platform", "--model", "fraud").request(layout);
    assertThat(request.args())
        .containsExactly(
            "job",
            "platform",
            "--model",
            "fraud",
            "--mode",
            "SUBMIT",
            "--checkpoint-dir",
            var.resolve("checkpoints").toUri().toString());
    assertThat(request.parallelism()).isEqualTo(2);
    assertThat(request.savepointPath()).isNull();

    FlinkRestClient.RunRequest restore =
        submit(
                "--from-savepoint",
                "file:///sp/1",
                "--",
                "job",
                "ingest",
                "--mode",
                "SUBMIT",
                "--checkpoint-dir",
                "file:///cp")
            .request(layout);
    assertThat(restore.args())
        .containsExactly("job", "ingest", "--mode", "SUBMIT", "--checkpoint-dir", "file:///cp");
    assertThat(restore.savepointPath()).isEqualTo("file:///sp/1");
    assertThat(restore.allowNonRestoredState()).isFalse();
  }

  @Test
  void submitRefusesWhatWouldNotRunOnTheCluster(@TempDir Path var) {
    Layout layout = Layout.of(var, var);
    assertThatThrownBy(() -> submit("--", "topics", "list").request(layout))
        .hasMessageContaining("submit runs a job");
    assertThatThrownBy(() -> submit("--", "job", "ingest", "--mode", "LOCAL").request(layout))
        .hasMessageContaining("--mode LOCAL would run the job inside the JobManager");
    assertThatThrownBy(
            () ->
                submit("--from-savepoint", "a", "--", "job", "ingest", "--from-savepoint", "b")
                    .request(layout))
        .hasMessageContaining("--from-savepoint is given twice");
    assertThatThrownBy(
            () -> submit("--allow-non-restored-state", "--", "job", "ingest").request(layout))
        .hasMessageContaining("--allow-non-restored-state needs --from-savepoint");
    assertThatThrownBy(() -> submit("--parallelism", "0", "--", "job", "ingest").request(layout))
        .hasMessageContaining("--parallelism must be >= 1, got 0");
    assertThatThrownBy(
            () -> submit("--jar", var.resolve("missing.jar").toString(), "--", "job", "x").jar())
        .hasMessageContaining("missing.jar does not exist");
  }

  @Test
  void upRefusesImpossibleShapesNamingTheOption() {
    assertThatThrownBy(() -> new FlinkCluster.Settings(8091, 6123, 0, 4))
        .hasMessageContaining("--task-managers must be 1..16, got 0");
    assertThatThrownBy(() -> new FlinkCluster.Settings(8091, 6123, 1, 0))
        .hasMessageContaining("--slots must be 1..64, got 0");
    assertThatThrownBy(() -> new FlinkCluster.Settings(70000, 6123, 1, 4))
        .hasMessageContaining("--rest-port must be in 1..65535, got 70000");
    assertThatThrownBy(() -> new FlinkCluster.Settings(8091, 8091, 1, 4))
        .hasMessageContaining("must differ");
    ClusterCommand.Up up = new ClusterCommand.Up();
    new CommandLine(up).parseArgs();
    assertThat(up.settings()).isEqualTo(FlinkCluster.Settings.DEFAULTS);
    assertThat(up.settings().restPort()).isEqualTo(8091);
  }

  @Test
  void commandsOnAClusterThatIsNotThereSayHowToStartOne(@TempDir Path var) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    CliRun cli = new CliRun();
    int code = cli.run("cluster", "list", "--var-dir", var.toString(), "--rest-port", "" + port);
    assertThat(code).isEqualTo(1);
    assertThat(cli.err())
        .contains("no Flink cluster answers at http://127.0.0.1:" + port)
        .contains("sluice cluster up --rest-port " + port);

    CliRun badId = new CliRun();
    assertThat(badId.run("cluster", "stop", "not-a-job", "--var-dir", var.toString())).isEqualTo(1);
    assertThat(badId.err())
        .contains("JOB_ID must be Flink's 32 hex digits")
        .contains("'not-a-job'");

    CliRun status = new CliRun();
    assertThat(
            status.run("cluster", "status", "--var-dir", var.toString(), "--rest-port", "" + port))
        .as("status exits 3 when nothing runs")
        .isEqualTo(3);
    assertThat(Files.exists(var.resolve("run/flink-jobmanager.pid"))).isFalse();
  }

  @Test
  void upRefusesAPortTakenByAnotherProcess(@TempDir Path var) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      FlinkCluster cluster =
          new FlinkCluster(
              Layout.of(Path.of(System.getProperty("user.dir")).getParent(), var),
              new FlinkCluster.Settings(taken.getLocalPort(), 1, 1, 1),
              dev.sluice.cli.infra.Console.silent());
      assertThatThrownBy(cluster::up)
          .hasMessageContaining("port 127.0.0.1:" + taken.getLocalPort() + " is in use")
          .hasMessageContaining("--rest-port");
    }
  }
}
