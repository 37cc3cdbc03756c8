package dev.sluice.cli.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where local infrastructure keeps its files: everything under one project-local folder ({@code
 * var/} by default), so {@code rm -rf var} after {@code sluice infra down} resets the machine.
 *
 * <pre>
 * var/lib/&lt;service&gt;/   downloaded jars
 * var/data/&lt;service&gt;/  data (Kafka log dirs, Redis dump)
 * var/log/&lt;service&gt;.log
 * var/run/&lt;service&gt;.pid
 * var/checkpoints/       Flink checkpoints of local jobs
 * </pre>
 */
public record Layout(Path projectRoot, Path root) {

  public static Layout of(Path projectRoot, Path varDir) {
    return new Layout(
        projectRoot.toAbsolutePath().normalize(), varDir.toAbsolutePath().normalize());
  }

  public Path lib(String service) {
    return dir(root.resolve("lib").resolve(service));
  }

  public Path data(String service) {
    return dir(root.resolve("data").resolve(service));
  }

  public Path logs() {
    return dir(root.resolve("log"));
  }

  public Path pidFile(String service) {
    return dir(root.resolve("run")).resolve(service + ".pid");
  }

  public Path checkpoints() {
    return dir(root.resolve("checkpoints"));
  }

  /** A file shipped in the repository, e.g. {@code docker/local/kafka/pom.xml}. */
  public Path repoFile(String relative) {
    Path path = projectRoot.resolve(relative);
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          relative
              + " not found under "
              + projectRoot
              + ": run sluice from a checkout (set SLUICE_HOME)");
    }
    return path;
  }

  private static Path dir(Path path) {
    try {
      return Files.createDirectories(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path, e);
    }
  }
}
