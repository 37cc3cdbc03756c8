package dev.sluice.cli.infra;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's {@code redis-server}, installed with apt-get when missing (needs root), on
 * 127.0.0.1:6379.
 */
public final class RedisService implements LocalService {
  public static final int PORT = 6379;

  private final int port;

  /** On the documented port, 6379. */
  public RedisService() {
    this(PORT);
  }

  public RedisService(int port) {
    this.port = port;
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public String address() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String processMarker() {
    return "redis"; // the executable is redis-check-rdb under a symlink, and Redis rewrites its
    // title
  }

  /** The redis-server binary on PATH, or null. */
  public static Path binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  @Override
  public void prepare(Layout layout, Console console) throws Exception {
    if (binary() != null) {
      return;
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException(
          "redis-server is not installed: run 'sudo apt-get install -y redis-server' and retry");
    }
    console.info("  installing redis-server with apt-get ...");
    Path log = layout.logs().resolve("redis-prepare.log");
    Commands.run(
        List.of("apt-get", "update", "-q"), layout.projectRoot(), log, 10, "apt-get update");
    Commands.run(
        List.of(
            "env",
            "DEBIAN_FRONTEND=noninteractive",
            "apt-get",
            "install",
            "-y",
            "-q",
            "redis-server"),
        layout.projectRoot(),
        layout.logs().resolve("redis-install.log"),
        10,
        "apt-get install redis-server");
    // On machines with an init system the package starts a system-wide server on 6379; sluice runs
    // its own.
    Commands.run(
        List.of("sh", "-c", "service redis-server stop >/dev/null 2>&1 || true"),
        layout.projectRoot(),
        layout.logs().resolve("redis-install.log"),
        1,
        "stopping the packaged redis-server service");
  }

  @Override
  public List<String> command(Layout layout) {
    Path binary = binary();
    return List.of(
        binary == null ? "redis-server" : binary.toString(),
        "--port",
        Integer.toString(port),
        "--bind",
        "127.0.0.1",
        "--protected-mode",
        "yes",
        "--dir",
        layout.data(name()).toString(),
        "--save",
        "60 1000",
        "--daemonize",
        "no");
  }

  @Override
  public boolean isReady() {
    return ping("127.0.0.1", port);
  }

  /** Whether a Redis server answers PING at host:port. */
  public static boolean ping(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[16];
      int n = in.read(buffer);
      return n > 0 && new String(buffer, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (Exception e) {
      return false;
    }
  }
}
