package dev.sluice.simulator;

import java.io.IOException;

/** Where simulated events go, in the order they are written. */
public interface EventSink extends AutoCloseable {
  void write(SimulatedEvent event) throws IOException;

  /** Makes everything written so far durable (sent and acknowledged, or on disk). */
  void flush() throws IOException;

  @Override
  void close() throws IOException;
}
