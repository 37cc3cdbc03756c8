package dev.sluice.cli.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A Flink 2.2 standalone session cluster on this machine: one JobManager and N TaskManagers, each
 * its own JVM, built from Maven Central jars ({@code docker/local/flink/pom.xml}; there is no
 * {@code flink-dist} there) the way {@code docker/local/flink/README.md} does it by hand.
 *
 * <pre>
 * var/lib/flink/                      lib/ (47 jars, fetched once by Maven)
 * var/flink/conf/config.yaml          from docker/local/flink/config.yaml.template
 * var/flink/cluster.properties        ports and sizes of the running cluster, for later commands
 * var/flink/{uploads,tmp}/            uploaded jars, scratch
 * var/checkpoints/, var/savepoints/   the cluster's default checkpoint and savepoint directories
 * var/log/flink-jobmanager.{log,out}, flink-taskmanager-&lt;i&gt;.{log,out}
 * var/run/flink-jobmanager.pid, flink-taskmanager-&lt;i&gt;.pid
 * </pre>
 *
 * Processes are detached (setsid) like the other local services, tracked by pid file, stopped by
 * pid. TaskManagers are numbered from 1 and can be killed ({@code kill -9}) and started again one
 * by one, for failure tests. Everything binds to 127.0.0.1.
 */
public final class FlinkCluster {
  public static final int DEFAULT_REST_PORT = 8091;
  public static final int DEFAULT_RPC_PORT = 6123;
  public static final String NAME = "flink";

  private static final String JM_CLASS =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String TM_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The cluster's shape.
   *
   * @param restPort web UI and REST API (the demo's in-process job has 8081, hence 8091)
   * @param rpcPort the JobManager's RPC port
   * @param taskManagers how many TaskManager processes {@link #up} starts
   * @param slots task slots per TaskManager
   */
  public record Settings(int restPort, int rpcPort, int taskManagers, int slots) {
    public static final Settings DEFAULTS = new Settings(DEFAULT_REST_PORT, DEFAULT_RPC_PORT, 1, 4);

    public Settings {
      checkPort("--rest-port", restPort);
      checkPort("rpc port", rpcPort);
      if (restPort == rpcPort) {
        throw new IllegalArgumentException(
            "the REST port and the RPC port must differ, both are " + restPort);
      }
      if (taskManagers < 1 || taskManagers > 16) {
        throw new IllegalArgumentException("--task-managers must be 1..16, got " + taskManagers);
      }
      if (slots < 1 || slots > 64) {
        throw new IllegalArgumentException("--slots must be 1..64, got " + slots);
      }
    }

    private static void checkPort(String what, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(what + " must be in 1..65535, got " + port);
      }
    }
  }

  private final Layout layout;
  private final Settings settings;
  private final Path lib;
  private final List<String> mavenArgs;
  private final Console console;

  /** The cluster under {@code layout}, with lib/ in {@code var/lib/flink}. */
  public FlinkCluster(Layout layout, Settings settings, Console console) {
    this(layout, settings, layout.lib(NAME), List.of(), console);
  }

  /**
   * @param lib where lib/ is (or is to be) assembled; tests share one across runs
   * @param mavenArgs extra arguments for the Maven call that assembles lib/, e.g. {@code
   *     -Dmaven.repo.local=...}
   */
  public FlinkCluster(
      Layout layout, Settings settings, Path lib, List<String> mavenArgs, Console console) {
    this.layout = layout;
    this.settings = settings;
    this.lib = lib;
    this.mavenArgs = List.copyOf(mavenArgs);
    this.console = console;
  }

  /**
   * The cluster as {@code up} last recorded it in {@code var/flink/cluster.properties}, or {@link
   * Settings#DEFAULTS}.
   */
  public static Settings recorded(Layout layout) {
    Path file = layout.root().resolve(NAME).resolve("cluster.properties");
    if (!Files.exists(file)) {
      return Settings.DEFAULTS;
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file)) {
      p.load(in);
      return new Settings(
          Integer.parseInt(p.getProperty("rest.port")),
          Integer.parseInt(p.getProperty("rpc.port")),
          Integer.parseInt(p.getProperty("task-managers")),
          Integer.parseInt(p.getProperty("slots")));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public Settings settings() {
    return settings;
  }

  public FlinkRestClient rest() {
    return FlinkRestClient.local(settings.restPort());
  }

  public String webUi() {
    return "http://127.0.0.1:" + settings.restPort();
  }

  public Path confDir() {
    return dir(workDir().resolve("conf"));
  }

  /** The cluster's default savepoint directory ({@code var/savepoints}). */
  public Path savepointDir() {
    return dir(layout.root().resolve("savepoints"));
  }

  public Path jobManagerLog() {
    return layout.logs().resolve("flink-jobmanager.log");
  }

  public Path taskManagerLog(int index) {
    return layout.logs().resolve("flink-taskmanager-" + index + ".log");
  }

  /** Assembles lib/ from Maven Central once (a {@code .complete} marker says it is done). */
  public void prepare() throws Exception {
    Path complete = lib.resolve(".complete");
    if (Files.exists(complete)) {
      return;
    }
    Files.createDirectories(lib);
    console.info("  fetching Flink 2.2.0 jars from Maven Central into %s ...", lib);
    List<String> command = new ArrayList<>(List.of(Commands.mvn(), "-q", "-B"));
    command.addAll(mavenArgs);
    command.addAll(
        List.of(
            "-f",
            layout.repoFile("docker/local/flink/pom.xml").toString(),
            "dependency:copy-dependencies",
            "-DoutputDirectory=" + lib));
    Commands.run(
        command,
        layout.projectRoot(),
        layout.logs().resolve("flink-prepare.log"),
        15,
        "fetching the Flink jars");
    Files.writeString(complete, "ok\n");
  }

  /** Writes {@code conf/} from the template: ports, slots, checkpoint and savepoint directories. */
  public void configure() throws IOException {
    Path work = workDir();
    String template =
        Files.readString(
            layout.repoFile("docker/local/flink/config.yaml.template"), StandardCharsets.UTF_8);
    String config =
        template
            .replace("@REST_PORT@", Integer.toString(settings.restPort()))
            .replace("@RPC_PORT@", Integer.toString(settings.rpcPort()))
            .replace("@SLOTS@", Integer.toString(settings.slots()))
            .replace("@CHECKPOINT_DIR@", layout.checkpoints().toUri().toString())
            .replace("@SAVEPOINT_DIR@", savepointDir().toUri().toString())
            .replace("@WORK_DIR@", work.toString());
    if (config.contains("@")) {
      int at = config.indexOf('@');
      throw new IllegalStateException(
          "docker/local/flink/config.yaml.template has a placeholder FlinkCluster does not fill: "
              + config.substring(at, Math.min(config.length(), config.indexOf('@', at + 1) + 1)));
    }
    Files.writeString(confDir().resolve("config.yaml"), config);
    Files.copy(
        layout.repoFile("docker/local/flink/log4j.properties"),
        confDir().resolve("log4j.properties"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    dir(work.resolve("uploads"));
    dir(work.resolve("tmp"));
    Properties p = new Properties();
    p.setProperty("rest.port", Integer.toString(settings.restPort()));
    p.setProperty("rpc.port", Integer.toString(settings.rpcPort()));
    p.setProperty("task-managers", Integer.toString(settings.taskManagers()));
    p.setProperty("slots", Integer.toString(settings.slots()));
    try (var out = Files.newBufferedWriter(work.resolve("cluster.properties"))) {
      p.store(out, "written by sluice cluster up; read by the other cluster commands");
    }
  }

  /**
   * Starts the JobManager and {@link Settings#taskManagers()} TaskManagers and waits until the
   * JobManager sees them all. Idempotent: a running cluster is left as it is (missing TaskManagers
   * are started).
   *
   * @return seconds from the call to a cluster with every TaskManager registered
   */
  public double up() throws Exception {
    long started = System.nanoTime();
    Optional<ProcessHandle> jm = jobManager();
    if (jm.isEmpty()) {
      for (int port : new int[] {settings.restPort(), settings.rpcPort()}) {
        if (LocalInfra.portInUse(port)) {
          throw new IllegalStateException(
              "flink: port 127.0.0.1:"
                  + port
                  + " is in use by a process sluice did not start; stop it (e.g. 'ss -ltnp | grep "
                  + port
                  + "') or choose another --rest-port");
        }
      }
      prepare();
      configure();
      Process process =
          launch(
              command(JM_CLASS, "GET_JM_RESOURCE_PARAMS", jobManagerLog()),
              jobManagerLog(),
              "flink-jobmanager");
      awaitRest(process.toHandle());
      console.info("%-9s JobManager started (pid %d), web UI %s", NAME, process.pid(), webUi());
    } else {
      awaitRest(jm.get());
      console.info(
          "%-9s JobManager already running (pid %d), web UI %s", NAME, jm.get().pid(), webUi());
    }
    for (int i = 1; i <= settings.taskManagers(); i++) {
      Optional<ProcessHandle> tm = taskManager(i);
      if (tm.isEmpty()) {
        long pid = startTaskManager(i);
        console.info("%-9s TaskManager %d started (pid %d)", NAME, i, pid);
      }
    }
    awaitTaskManagers(settings.taskManagers(), READY_TIMEOUT);
    double seconds = (System.nanoTime() - started) / 1e9;
    console.info(
        "%-9s ready in %.1f s: %d TaskManager(s) x %d slots; log %s",
        NAME, seconds, settings.taskManagers(), settings.slots(), jobManagerLog());
    return seconds;
  }

  /**
   * Starts TaskManager {@code index} (from 1; a new one, or again after {@link #killTaskManager});
   * returns its pid. Does not wait for it to register.
   */
  public long startTaskManager(int index) throws Exception {
    if (index < 1) {
      throw new IllegalArgumentException("TaskManagers are numbered from 1, got " + index);
    }
    if (jobManager().isEmpty()) {
      throw new IllegalStateException(
          "flink: no JobManager is running under " + layout.root() + "; run 'sluice cluster up'");
    }
    Optional<ProcessHandle> running = taskManager(index);
    if (running.isPresent()) {
      throw new IllegalStateException(
          "flink: TaskManager " + index + " already runs (pid " + running.get().pid() + ")");
    }
    return launch(
            command(TM_CLASS, "GET_TM_RESOURCE_PARAMS", taskManagerLog(index)),
            taskManagerLog(index),
            "flink-taskmanager-" + index)
        .pid();
  }

  /**
   * Kills TaskManager {@code index} at once ({@code kill -9}: no clean shutdown, as when a machine
   * dies) and waits until the process is gone. The JobManager notices at the next heartbeat timeout
   * ({@code heartbeat.timeout} in the config, 15 s) or when a task fails.
   */
  public void killTaskManager(int index) throws Exception {
    ProcessHandle tm =
        taskManager(index)
            .orElseThrow(
                () -> new IllegalStateException("flink: TaskManager " + index + " is not running"));
    tm.destroyForcibly();
    tm.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Files.deleteIfExists(layout.pidFile("flink-taskmanager-" + index));
  }

  /** Stops TaskManager {@code index} cleanly (SIGTERM); returns whether it was running. */
  public boolean stopTaskManager(int index) throws Exception {
    return LocalInfra.stopTracked(
        layout, console, "flink-taskmanager-" + index, TM_CLASS, STOP_TIMEOUT);
  }

  /** Waits until the JobManager counts exactly {@code count} registered TaskManagers. */
  public void awaitTaskManagers(int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = -1;
    while (true) {
      try {
        seen = rest().overview().taskManagers();
        if (seen == count) {
          return;
        }
      } catch (IOException e) {
        // not answering yet
      }
      if (jobManager().isEmpty()) {
        throw new IllegalStateException(
            "flink: the JobManager exited; last lines of "
                + jobManagerLog()
                + ":"
                + Commands.lastLines(jobManagerLog(), 20));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "flink: the JobManager at "
                + webUi()
                + " saw "
                + seen
                + " TaskManager(s), not "
                + count
                + ", within "
                + timeout.toSeconds()
                + " s; see "
                + layout.logs()
                + "/flink-taskmanager-*.log");
      }
      Thread.sleep(200);
    }
  }

  /** Stops every TaskManager, then the JobManager; returns how many processes were stopped. */
  public int down() throws Exception {
    int stopped = 0;
    for (int index : taskManagerIndexes()) {
      if (stopTaskManager(index)) {
        stopped++;
      }
    }
    if (LocalInfra.stopTracked(layout, console, "flink-jobmanager", JM_CLASS, STOP_TIMEOUT)) {
      stopped++;
    }
    return stopped;
  }

  public Optional<ProcessHandle> jobManager() {
    return LocalInfra.tracked(layout, "flink-jobmanager", JM_CLASS);
  }

  public Optional<ProcessHandle> taskManager(int index) {
    return LocalInfra.tracked(layout, "flink-taskmanager-" + index, TM_CLASS);
  }

  /** Pids of the running TaskManagers, by index. */
  public TreeMap<Integer, Long> taskManagerPids() throws IOException {
    TreeMap<Integer, Long> pids = new TreeMap<>();
    for (int index : taskManagerIndexes()) {
      taskManager(index).ifPresent(p -> pids.put(index, p.pid()));
    }
    return pids;
  }

  /** The indexes that have a pid file (running or not). */
  private List<Integer> taskManagerIndexes() throws IOException {
    List<Integer> indexes = new ArrayList<>();
    Path run = layout.pidFile("x").getParent();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(run, "flink-taskmanager-*.pid")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        try {
          indexes.add(
              Integer.parseInt(
                  name.substring("flink-taskmanager-".length(), name.length() - ".pid".length())));
        } catch (NumberFormatException e) {
          // not ours
        }
      }
    }
    indexes.sort(null);
    return indexes;
  }

  private Path workDir() {
    return dir(layout.root().resolve(NAME));
  }

  private Process launch(List<String> javaCommand, Path log, String pidName) throws IOException {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid"); // own session: the user's Ctrl-C must not stop the cluster
    }
    command.addAll(javaCommand);
    Path out = Path.of(log.toString().replaceFirst("\\.log$", ".out"));
    Process process =
        new ProcessBuilder(command)
            .directory(layout.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
            .start();
    Files.writeString(layout.pidFile(pidName), process.pid() + "\n");
    return process;
  }

  /**
   * The java command line of a JobManager or TaskManager: memory flags from Flink's own
   * BashJavaUtils (what bin/jobmanager.sh does), the Java 17 module flags from {@code
   * env.java.default-opts.all}, log4j to {@code log}.
   */
  private List<String> command(String mainClass, String resourceCommand, Path log)
      throws Exception {
    List<String> resources = bashJavaUtils(resourceCommand);
    if (resources.size() < 2) {
      throw new IllegalStateException(
          "flink: BashJavaUtils " + resourceCommand + " returned " + resources + ", not 2 lines");
    }
    List<String> command = new ArrayList<>();
    command.add(Commands.java());
    command.addAll(words(resources.get(0)));
    command.addAll(words(javaOpens()));
    command.add("-Dlog.file=" + log);
    command.add("-Dlog4j.configurationFile=file:" + confDir().resolve("log4j.properties"));
    command.add("-cp");
    command.add(lib + "/*");
    command.add(mainClass);
    command.add("--configDir");
    command.add(confDir().toString());
    command.addAll(words(resources.get(1)));
    return command;
  }

  private List<String> bashJavaUtils(String what) throws Exception {
    Path log = layout.logs().resolve("flink-bash-java-utils.log");
    Commands.run(
        List.of(
            Commands.java(),
            "-cp",
            lib + "/*",
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            what,
            "--configDir",
            confDir().toString()),
        layout.root(),
        log,
        2,
        "computing Flink's memory settings (BashJavaUtils " + what + ")");
    List<String> result = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        result.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()));
      }
    }
    return result;
  }

  /** The {@code env.java.default-opts.all} line of the config (Flink's Java 17 module flags). */
  private String javaOpens() throws IOException {
    for (String line : Files.readAllLines(confDir().resolve("config.yaml"))) {
      String trimmed = line.trim();
      if (trimmed.startsWith("all:")) {
        return trimmed.substring("all:".length()).trim();
      }
    }
    throw new IllegalStateException(
        "flink: " + confDir().resolve("config.yaml") + " has no env.java.default-opts.all line");
  }

  private void awaitRest(ProcessHandle jm) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    FlinkRestClient rest = rest();
    while (!rest.answers()) {
      if (!jm.isAlive()) {
        throw new IllegalStateException(
            "flink: the JobManager exited during start-up; last lines of "
                + jobManagerLog()
                + ":"
                + Commands.lastLines(jobManagerLog(), 20)
                + "\n  and of its stdout:"
                + Commands.lastLines(
                    Path.of(jobManagerLog().toString().replaceFirst("\\.log$", ".out")), 10));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "flink: the JobManager (pid "
                + jm.pid()
                + ") did not answer at "
                + webUi()
                + " within "
                + READY_TIMEOUT.toSeconds()
                + " s; see "
                + jobManagerLog());
      }
      Thread.sleep(200);
    }
  }

  private static List<String> words(String line) {
    String trimmed = line.trim();
    return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
  }

  private static Path dir(Path path) {
    try {
      return Files.createDirectories(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + path, e);
    }
  }
}
