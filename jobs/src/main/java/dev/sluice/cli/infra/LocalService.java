package dev.sluice.cli.infra;

import java.nio.file.Path;
import java.util.List;

/**
 * One piece of local infrastructure run as a plain process (no docker): how to obtain it, start it,
 * tell that it really answers, and recognise its process.
 */
public interface LocalService {

  /** Short name used on the command line and in file names: kafka, registry, redis. */
  String name();

  /** Where it listens (documented, fixed, 127.0.0.1 only). */
  String address();

  /** Fetches, builds or installs what is missing; does nothing when everything is there. */
  void prepare(Layout layout, Console console) throws Exception;

  /**
   * One-time initialisation of its data directory before the first start (e.g. Kafka storage
   * format).
   */
  default void initialise(Layout layout, Console console) throws Exception {}

  /**
   * Configuration applied once it answers (e.g. registry defaults, which in-memory storage
   * forgets).
   */
  default void afterStart(Layout layout, Console console) throws Exception {}

  /** The command that runs it in the foreground (the launcher detaches and redirects it). */
  List<String> command(Layout layout);

  /** Whether it answers requests now (a protocol-level check, not just an open port). */
  boolean isReady();

  /** Text expected in the command line of its process, so a recycled pid is not mistaken for it. */
  String processMarker();

  /** Port it needs free before it starts. */
  int port();

  /** Its log file. */
  default Path logFile(Layout layout) {
    return layout.logs().resolve(name() + ".log");
  }
}
