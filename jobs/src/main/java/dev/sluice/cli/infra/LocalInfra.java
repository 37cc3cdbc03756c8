package dev.sluice.cli.infra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts, stops and reports on the local services ({@code sluice infra up|down|status}). Processes
 * are detached into their own session (so Ctrl-C in the terminal that started them does not reach
 * them), log to {@code var/log/<name>.log}, and are tracked by pid file; a pid is only trusted
 * while its command line still names the service. {@code up} is idempotent and waits until each
 * service answers at the protocol level.
 */
public final class LocalInfra {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Layout layout;
  private final Console console;
  private final List<LocalService> services;

  public LocalInfra(Layout layout, Console console, List<LocalService> services) {
    this.layout = layout;
    this.console = console;
    this.services = List.copyOf(services);
  }

  /** Kafka, the registry and Redis, in start order. */
  public static List<LocalService> allServices() {
    return List.of(new KafkaService(), new RegistryService(), new RedisService());
  }

  /** The state of one service as {@code status} reports it. */
  public record Status(String name, String state, Long pid, String address, Path log) {}

  /** Fetches, builds or installs what every selected service needs, without starting anything. */
  public void prepare() throws Exception {
    for (LocalService service : services) {
      console.info("%-9s preparing", service.name());
      service.prepare(layout, console);
    }
  }

  /** Starts every selected service that is not already running and waits until each answers. */
  public void up() throws Exception {
    for (LocalService service : services) {
      up(service);
    }
  }

  private void up(LocalService service) throws Exception {
    Optional<ProcessHandle> running = runningProcess(service);
    if (running.isPresent()) {
      awaitReady(service, running.get(), System.nanoTime());
      console.info(
          "%-9s already running (pid %d) at %s",
          service.name(), running.get().pid(), service.address());
      return;
    }
    if (portInUse(service.port())) {
      throw new IllegalStateException(
          service.name()
              + ": port 127.0.0.1:"
              + service.port()
              + " is in use by a process sluice did not start;"
              + " stop it (e.g. 'ss -ltnp | grep "
              + service.port()
              + "') and retry");
    }
    service.prepare(layout, console);
    service.initialise(layout, console);
    Path log = service.logFile(layout);
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add(
          "/usr/bin/setsid"); // own session: the user's Ctrl-C must not stop the infrastructure
    }
    command.addAll(service.command(layout));
    long started = System.nanoTime();
    Process process =
        new ProcessBuilder(command)
            .directory(layout.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Files.writeString(layout.pidFile(service.name()), process.pid() + "\n");
    awaitReady(service, process.toHandle(), started);
    service.afterStart(layout, console);
    console.info(
        "%-9s started (pid %d) at %s in %.1f s; log %s",
        service.name(), process.pid(), service.address(), (System.nanoTime() - started) / 1e9, log);
  }

  private void awaitReady(LocalService service, ProcessHandle process, long startedNanos)
      throws InterruptedException {
    long deadline = startedNanos + READY_TIMEOUT.toNanos();
    while (!service.isReady()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            service.name()
                + " exited during start-up; last lines of "
                + service.logFile(layout)
                + ":"
                + Commands.lastLines(service.logFile(layout), 20));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            service.name()
                + " (pid "
                + process.pid()
                + ") did not answer at "
                + service.address()
                + " within "
                + READY_TIMEOUT.toSeconds()
                + " s; see "
                + service.logFile(layout));
      }
      Thread.sleep(200);
    }
  }

  /**
   * Stops every selected service that runs, in reverse start order. Returns how many were stopped.
   */
  public int down() throws InterruptedException, IOException {
    int stopped = 0;
    List<LocalService> reversed = new ArrayList<>(services);
    java.util.Collections.reverse(reversed);
    for (LocalService service : reversed) {
      if (stopTracked(layout, console, service.name(), service.processMarker(), STOP_TIMEOUT)) {
        stopped++;
      } else {
        console.info("%-9s not running", service.name());
      }
    }
    return stopped;
  }

  /** Current state of every selected service. */
  public List<Status> status() {
    List<Status> result = new ArrayList<>();
    for (LocalService service : services) {
      Optional<ProcessHandle> running = runningProcess(service);
      String state;
      if (running.isPresent()) {
        state = service.isReady() ? "ready" : "starting (not answering)";
      } else {
        state = portInUse(service.port()) ? "stopped (port taken by another process)" : "stopped";
      }
      result.add(
          new Status(
              service.name(),
              state,
              running.map(ProcessHandle::pid).orElse(null),
              service.address(),
              service.logFile(layout)));
    }
    return result;
  }

  /**
   * The live process of {@code service} according to its pid file, if its command line still
   * matches.
   */
  Optional<ProcessHandle> runningProcess(LocalService service) {
    return tracked(layout, service.name(), service.processMarker());
  }

  /**
   * The live process recorded in {@code var/run/<name>.pid}, if its executable or command line
   * still contains {@code marker} (a recycled pid is not mistaken for it).
   */
  public static Optional<ProcessHandle> tracked(Layout layout, String name, String marker) {
    Path pidFile = layout.pidFile(name);
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> matches(p, marker));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Stops the tracked process {@code name} (SIGTERM, then SIGKILL after {@code timeout}) and
   * forgets its pid file. Returns whether a process was running.
   */
  public static boolean stopTracked(
      Layout layout, Console console, String name, String marker, Duration timeout)
      throws InterruptedException, IOException {
    Optional<ProcessHandle> running = tracked(layout, name, marker);
    if (running.isPresent()) {
      ProcessHandle process = running.get();
      process.destroy();
      try {
        process.onExit().get(timeout.toSeconds(), TimeUnit.SECONDS);
        console.info("%-9s stopped (pid %d)", name, process.pid());
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        process.destroyForcibly();
        console.info(
            "%-9s killed (pid %d) after %d s without a clean shutdown",
            name, process.pid(), timeout.toSeconds());
      }
    }
    Files.deleteIfExists(layout.pidFile(name));
    return running.isPresent();
  }

  /**
   * Matches the executable or the command line: Redis rewrites its process title, Java services do
   * not.
   */
  private static boolean matches(ProcessHandle process, String marker) {
    return process.info().command().map(c -> c.contains(marker)).orElse(false)
        || commandLine(process).contains(marker);
  }

  /**
   * The full command line of a process. {@code ProcessHandle.Info.commandLine()} can come back
   * empty for long command lines (a JVM with a large class path), so /proc is read first where
   * there is one.
   */
  public static String commandLine(ProcessHandle process) {
    Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        return Files.readString(cmdline).replace('\0', ' ');
      }
    } catch (IOException e) {
      // fall back to what the JDK knows
    }
    return process.info().commandLine().orElse("");
  }

  static boolean portInUse(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
