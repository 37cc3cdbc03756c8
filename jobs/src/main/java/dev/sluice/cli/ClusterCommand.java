package dev.sluice.cli;

import dev.sluice.cli.infra.FlinkCluster;
import dev.sluice.cli.infra.FlinkRestClient;
import dev.sluice.cli.infra.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice cluster up|down|status|submit|list|stop|savepoint|cancel}: a real Flink standalone
 * session cluster (JobManager and TaskManagers as separate processes, {@link FlinkCluster}) and the
 * platform's jobs on it, submitted from the same shaded jar with the same arguments as in LOCAL
 * mode.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "Run a Flink standalone session cluster here and the platform's jobs on it.",
      "A JobManager (web UI and REST on 127.0.0.1:8091) and TaskManagers as separate processes,",
      "from Maven Central jars; files under var/. Stop jobs with a savepoint, start the next",
      "version from it."
    },
    subcommands = {
      ClusterCommand.Up.class,
      ClusterCommand.Down.class,
      ClusterCommand.Status.class,
      ClusterCommand.Submit.class,
      ClusterCommand.ListJobs.class,
      ClusterCommand.Stop.class,
      ClusterCommand.Savepoint.class,
      ClusterCommand.Cancel.class
    },
    footer = {
      "",
      "Example (services up: bin/sluice infra up; a model registered, as 'bin/sluice demo' does):",
      "  bin/sluice cluster up --task-managers 2",
      "  bin/sluice cluster submit -- job platform --model fraud",
      "  bin/sluice cluster stop <JOB_ID>                  # prints the savepoint path",
      "  bin/sluice cluster submit --from-savepoint <PATH> -- job platform --model fraud --max-batch 32",
      "  bin/sluice cluster down"
    })
final class ClusterCommand {

  /** Where the cluster's files are, and which REST port to talk to. */
  static final class Where {
    @Option(
        names = "--var-dir",
        description = "Folder for lib/, conf/, logs and pids (default: <checkout>/var).")
    Path varDir;

    @Option(
        names = "--rest-port",
        description =
            "The cluster's REST port (default: what 'cluster up' recorded, else "
                + FlinkCluster.DEFAULT_REST_PORT
                + ").")
    Integer restPort;

    Layout layout() {
      return Project.layout(varDir);
    }

    FlinkCluster cluster() {
      Layout layout = layout();
      FlinkCluster.Settings recorded = FlinkCluster.recorded(layout);
      FlinkCluster.Settings settings =
          restPort == null
              ? recorded
              : new FlinkCluster.Settings(
                  restPort, recorded.rpcPort(), recorded.taskManagers(), recorded.slots());
      return new FlinkCluster(layout, settings, Project.console());
    }

    /** A client of the running cluster; fails with what to do when none answers. */
    FlinkRestClient rest() {
      FlinkCluster cluster = cluster();
      FlinkRestClient rest = cluster.rest();
      if (!rest.answers()) {
        throw new IllegalStateException(
            "no Flink cluster answers at "
                + cluster.webUi()
                + ": start one with 'sluice cluster up"
                + (restPort == null ? "" : " --rest-port " + restPort)
                + "' (or give the --rest-port of a running one)");
      }
      return rest;
    }
  }

  /** A job id as Flink prints it. */
  static String jobId(String id) {
    if (id == null || !id.matches("[0-9a-fA-F]{32}")) {
      throw new IllegalArgumentException(
          "JOB_ID must be Flink's 32 hex digits (see 'sluice cluster list'), got '" + id + "'");
    }
    return id.toLowerCase(java.util.Locale.ROOT);
  }

  /** The job, or a clear error when the cluster does not know it. */
  static FlinkRestClient.JobSummary existing(FlinkRestClient rest, String jobId) {
    try {
      return rest.job(jobId);
    } catch (Exception e) {
      throw explain(e, jobId, rest);
    }
  }

  /** Flink answers an unknown job id with 404: say so in words. */
  static RuntimeException explain(Exception e, String jobId, FlinkRestClient rest) {
    if (e instanceof FlinkRestClient.FlinkRestException f && f.status() == 404) {
      return new IllegalArgumentException(
          "no job "
              + jobId
              + " on the cluster at "
              + rest.base()
              + " ('sluice cluster list' shows its jobs): "
              + f.getMessage());
    }
    return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description = {
        "Start a JobManager and N TaskManagers (idempotent) and wait until all are registered.",
        "First run fetches Flink's jars (~120 MB) into var/lib/flink with Maven."
      })
  static final class Up implements Callable<Integer> {
    @Option(
        names = "--var-dir",
        description = "Folder for lib/, conf/, logs and pids (default: <checkout>/var).")
    Path varDir;

    @Option(
        names = "--task-managers",
        defaultValue = "1",
        description = "TaskManager processes (default: ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(
        names = "--slots",
        defaultValue = "4",
        description = "Task slots per TaskManager (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(
        names = "--rest-port",
        defaultValue = "" + FlinkCluster.DEFAULT_REST_PORT,
        description =
            "Web UI and REST port (default: ${DEFAULT-VALUE}; 8081 is the in-process jobs' web UI).")
    int restPort;

    @Option(
        names = "--rpc-port",
        defaultValue = "" + FlinkCluster.DEFAULT_RPC_PORT,
        description = "JobManager RPC port (default: ${DEFAULT-VALUE}).")
    int rpcPort;

    FlinkCluster.Settings settings() {
      return new FlinkCluster.Settings(restPort, rpcPort, taskManagers, slots);
    }

    @Override
    public Integer call() throws Exception {
      FlinkCluster cluster =
          new FlinkCluster(Project.layout(varDir), settings(), Project.console());
      cluster.up();
      System.out.println("submit:  bin/sluice cluster submit -- job platform --model <NAME>");
      return 0;
    }
  }

  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description =
          "Stop the TaskManagers and the JobManager (running jobs stop without a savepoint: use 'stop' first).")
  static final class Down implements Callable<Integer> {
    @Mixin Where where;

    @Override
    public Integer call() throws Exception {
      if (where.cluster().down() == 0) {
        System.out.println("flink     not running");
      }
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show the processes, slots and jobs; exit 3 when the cluster is not running.")
  static final class Status implements Callable<Integer> {
    @Mixin Where where;

    @Override
    public Integer call() throws Exception {
      FlinkCluster cluster = where.cluster();
      var jm = cluster.jobManager();
      Map<Integer, Long> tms = cluster.taskManagerPids();
      System.out.printf(
          "jobmanager     %s  %s%n",
          jm.map(p -> "pid " + p.pid()).orElse("stopped"), cluster.jobManagerLog());
      tms.forEach(
          (i, pid) ->
              System.out.printf("taskmanager-%d  pid %d  %s%n", i, pid, cluster.taskManagerLog(i)));
      FlinkRestClient rest = cluster.rest();
      if (!rest.answers()) {
        System.out.printf("REST           not answering at %s%n", cluster.webUi());
        return 3;
      }
      FlinkRestClient.Overview o = rest.overview();
      System.out.printf(
          "web UI         %s  (Flink %s)%nTaskManagers   %d registered, slots %d free of %d%n",
          cluster.webUi(), o.flinkVersion(), o.taskManagers(), o.slotsAvailable(), o.slotsTotal());
      printJobs(rest.jobs());
      return jm.isPresent() ? 0 : 3;
    }
  }

  static void printJobs(List<FlinkRestClient.JobSummary> jobs) {
    if (jobs.isEmpty()) {
      System.out.println("no jobs");
      return;
    }
    DateTimeFormatter time =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    System.out.printf("%-32s  %-10s  %-19s  %s%n", "JOB_ID", "STATE", "STARTED", "NAME");
    for (FlinkRestClient.JobSummary job : jobs) {
      System.out.printf(
          "%-32s  %-10s  %-19s  %s%n",
          job.id(), job.state(), time.format(Instant.ofEpochMilli(job.startTime())), job.name());
    }
  }

  @Command(
      name = "submit",
      mixinStandardHelpOptions = true,
      description = {
        "Run a job on the cluster from jobs/target/sluice-jobs.jar; prints the job id.",
        "The arguments after '--' are those of LOCAL mode; '--mode SUBMIT' and, unless given,",
        "'--checkpoint-dir var/checkpoints' are added."
      },
      footer = {
        "",
        "Examples:",
        "  bin/sluice cluster submit -- job platform --model fraud",
        "  bin/sluice cluster submit --from-savepoint file:///.../savepoint-1a2b3c-0123456789ab -- \\",
        "      job platform --model fraud --max-batch 32"
      })
  static final class Submit implements Callable<Integer> {
    @Mixin Where where;

    @Option(
        names = "--from-savepoint",
        paramLabel = "PATH",
        description =
            "Restore the job's state from this savepoint (what 'cluster stop' printed); sent as the REST run request's savepointPath.")
    String fromSavepoint;

    @Option(
        names = "--allow-non-restored-state",
        description =
            "With --from-savepoint: drop state of operators the new job no longer has, instead of failing.")
    boolean allowNonRestoredState;

    @Option(
        names = "--parallelism",
        description = "Default parallelism of the job (default: the cluster's, 1).")
    Integer parallelism;

    @Option(
        names = "--jar",
        description = "The job jar (default: <checkout>/jobs/target/sluice-jobs.jar).")
    Path jar;

    @Parameters(
        arity = "1..*",
        paramLabel = "ARGS",
        description =
            "The sluice command line to run on the cluster, after '--': job <name> [options].")
    List<String> args = new ArrayList<>();

    /** The arguments the job runs with on the cluster. */
    List<String> jobArgs(Layout layout) {
      if (args.isEmpty() || !args.get(0).equals("job") || args.size() < 2) {
        throw new IllegalArgumentException(
            "submit runs a job: give its command line after '--', e.g. '-- job platform --model fraud', got "
                + args);
      }
      List<String> result = new ArrayList<>(args);
      int mode = result.indexOf("--mode");
      if (result.contains("--mode=LOCAL")
          || (mode >= 0 && mode + 1 < result.size() && result.get(mode + 1).equals("LOCAL"))) {
        throw new IllegalArgumentException(
            "--mode LOCAL would run the job inside the JobManager's JVM instead of on the cluster: leave --mode out");
      }
      if (mode < 0 && result.stream().noneMatch(a -> a.startsWith("--mode="))) {
        result.addAll(List.of("--mode", "SUBMIT"));
      }
      // On the cluster the job's working directory is the JobManager's: name the checkout's.
      if (result.stream()
          .noneMatch(a -> a.equals("--checkpoint-dir") || a.startsWith("--checkpoint-dir="))) {
        result.addAll(List.of("--checkpoint-dir", layout.checkpoints().toUri().toString()));
      }
      if (fromSavepoint != null
          && result.stream()
              .anyMatch(a -> a.equals("--from-savepoint") || a.startsWith("--from-savepoint="))) {
        throw new IllegalArgumentException(
            "--from-savepoint is given twice, before and after '--': give it once");
      }
      return result;
    }

    FlinkRestClient.RunRequest request(Layout layout) {
      if (allowNonRestoredState && fromSavepoint == null) {
        throw new IllegalArgumentException(
            "--allow-non-restored-state needs --from-savepoint: there is no savepoint to restore");
      }
      if (parallelism != null && parallelism < 1) {
        throw new IllegalArgumentException("--parallelism must be >= 1, got " + parallelism);
      }
      FlinkRestClient.RunRequest request =
          FlinkRestClient.RunRequest.of(jobArgs(layout)).withParallelism(parallelism);
      return fromSavepoint == null
          ? request
          : request.fromSavepoint(fromSavepoint, allowNonRestoredState);
    }

    Path jar() {
      Path path =
          jar != null
              ? jar
              : Project.home().resolve("jobs").resolve("target").resolve("sluice-jobs.jar");
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException(
            "the job jar "
                + path
                + " does not exist: build it with 'mvn -B package -DskipTests' (bin/sluice builds it on first use)");
      }
      return path;
    }

    @Override
    public Integer call() throws Exception {
      Layout layout = where.layout();
      FlinkRestClient.RunRequest request = request(layout);
      Path jarPath = jar();
      FlinkRestClient rest = where.rest();
      long t0 = System.nanoTime();
      String jarId = rest.uploadJar(jarPath);
      long t1 = System.nanoTime();
      String jobId;
      try {
        jobId = rest.run(jarId, request);
      } finally {
        // The job does not need the upload once it runs (the JobManager keeps its own copy).
        rest.deleteJar(jarId);
      }
      long t2 = System.nanoTime();
      System.out.printf(
          "job submitted as %s (upload %.1f s, run %.1f s)%n",
          jobId, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
      if (request.savepointPath() != null) {
        System.out.printf("restoring state from %s%n", request.savepointPath());
      }
      System.out.printf("web UI:  %s/#/job/running/%s/overview%n", rest.base(), jobId);
      System.out.printf("stop:    bin/sluice cluster stop %s   (with a savepoint)%n", jobId);
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the cluster's jobs (running and finished).")
  static final class ListJobs implements Callable<Integer> {
    @Mixin Where where;

    @Override
    public Integer call() throws Exception {
      printJobs(where.rest().jobs());
      return 0;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = {
        "Stop a job with a savepoint and print its path, for 'submit --from-savepoint'.",
        "The sources stop first, so nothing is emitted after the savepoint."
      })
  static final class Stop implements Callable<Integer> {
    @Mixin Where where;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "From 'sluice cluster list'.")
    String jobId;

    @Option(
        names = "--savepoint-dir",
        description = "Where the savepoint goes, a URI or a path (default: var/savepoints).")
    String savepointDir;

    @Option(
        names = "--timeout",
        converter = DurationConverter.class,
        defaultValue = "5m",
        description = "How long to wait for the savepoint (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
        names = "--drain",
        description =
            "Send the final watermark first: every window and timer fires and all pending output is"
                + " written (for a job that will not be resumed, e.g. at the end of a replay).")
    boolean drain;

    @Override
    public Integer call() throws Exception {
      String id = jobId(jobId);
      FlinkRestClient rest = where.rest();
      FlinkRestClient.JobSummary job = existing(rest, id);
      if (job.isTerminal()) {
        throw new IllegalStateException(
            "job " + id + " (" + job.name() + ") is " + job.state() + ": nothing to stop");
      }
      long t0 = System.nanoTime();
      String location;
      try {
        location = rest.stopWithSavepoint(id, targetDirectory(savepointDir), timeout, drain);
      } catch (Exception e) {
        throw explain(e, id, rest);
      }
      System.out.printf(
          "job %s stopped with a savepoint in %.1f s:%n%s%n",
          id, (System.nanoTime() - t0) / 1e9, location);
      return 0;
    }
  }

  /** A plain directory becomes a file URI (the JobManager's working directory is not ours). */
  static String targetDirectory(String dir) {
    if (dir == null) {
      return null;
    }
    return dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")
        ? dir
        : Path.of(dir).toAbsolutePath().normalize().toUri().toString();
  }

  @Command(
      name = "savepoint",
      mixinStandardHelpOptions = true,
      description = "Take a savepoint of a running job and leave it running; prints the path.")
  static final class Savepoint implements Callable<Integer> {
    @Mixin Where where;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "From 'sluice cluster list'.")
    String jobId;

    @Option(
        names = "--savepoint-dir",
        description = "Where the savepoint goes, a URI or a path (default: var/savepoints).")
    String savepointDir;

    @Override
    public Integer call() throws Exception {
      String id = jobId(jobId);
      FlinkRestClient rest = where.rest();
      existing(rest, id);
      try {
        System.out.println(
            rest.triggerSavepoint(id, targetDirectory(savepointDir), Duration.ofMinutes(5)));
      } catch (Exception e) {
        throw explain(e, id, rest);
      }
      return 0;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Cancel a job without a savepoint: its state is lost (use 'stop' to keep it).")
  static final class Cancel implements Callable<Integer> {
    @Mixin Where where;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "From 'sluice cluster list'.")
    String jobId;

    @Override
    public Integer call() throws Exception {
      String id = jobId(jobId);
      FlinkRestClient rest = where.rest();
      existing(rest, id);
      try {
        rest.cancel(id);
      } catch (Exception e) {
        throw explain(e, id, rest);
      }
      System.out.printf("job %s cancelling%n", id);
      return 0;
    }
  }
}
