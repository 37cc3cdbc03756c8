package dev.sluice.simulator;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.simulator.SimulatedEvent.LabelEvent;
import dev.sluice.simulator.SimulatedEvent.TransactionEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes {@code DIR/transactions.avro} and {@code DIR/labels.avro}: Avro container files (snappy)
 * of the generated classes, in event-time order, for batch jobs and training. The simulator's
 * configuration is stored in each file's metadata under {@value #CONFIG_METADATA}; the same
 * configuration gives byte-identical files.
 */
public final class AvroFilesSink implements EventSink {
  public static final String TRANSACTIONS_FILE = "transactions.avro";
  public static final String LABELS_FILE = "labels.avro";
  public static final String CONFIG_METADATA = "sluice.simulator.config";

  private final DataFileWriter<Transaction> transactions;
  private final DataFileWriter<Label> labels;

  public AvroFilesSink(Path directory, String configDescription) throws IOException {
    Files.createDirectories(directory);
    transactions =
        open(
            Transaction.class,
            Transaction.getClassSchema(),
            directory.resolve(TRANSACTIONS_FILE),
            configDescription);
    try {
      labels =
          open(
              Label.class,
              Label.getClassSchema(),
              directory.resolve(LABELS_FILE),
              configDescription);
    } catch (IOException | RuntimeException e) {
      transactions.close();
      throw e;
    }
  }

  private static <T> DataFileWriter<T> open(
      Class<T> type, Schema schema, Path file, String configDescription) throws IOException {
    // getForClass brings the class's logical-type conversions (decimal, timestamp-millis).
    DataFileWriter<T> writer =
        new DataFileWriter<>(new SpecificDatumWriter<T>(schema, SpecificData.getForClass(type)));
    writer.setCodec(CodecFactory.snappyCodec());
    writer.setMeta(CONFIG_METADATA, configDescription);
    // A sync marker derived from the configuration (Avro draws a random one) keeps the files
    // byte-identical from run to run.
    byte[] sync =
        Arrays.copyOf(
            sha256(configDescription + "\n" + file.getFileName()), DataFileConstants.SYNC_SIZE);
    return writer.create(schema, Files.newOutputStream(file), sync);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public void write(SimulatedEvent event) throws IOException {
    if (event instanceof TransactionEvent tx) {
      transactions.append(tx.transaction());
    } else {
      labels.append(((LabelEvent) event).label());
    }
  }

  @Override
  public void flush() throws IOException {
    transactions.flush();
    labels.flush();
  }

  @Override
  public void close() throws IOException {
    try {
      transactions.close();
    } finally {
      labels.close();
    }
  }
}
