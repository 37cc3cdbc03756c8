package dev.sluice.schemas.flink;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

/** Builds {@link DeadLetter} records that keep the rejected Kafka record byte for byte. */
public final class DeadLetters {
  /** Stage name for records that failed to decode. */
  public static final String STAGE_DECODE = "decode";

  /** Stage name for records that decoded but failed a validation rule. */
  public static final String STAGE_VALIDATE = "validate";

  /**
   * Largest key or value (bytes) a dead letter keeps whole. A dead letter must fit in one record of
   * the dead-letter topic beside its metadata (1 MiB by default: the producer's {@code
   * max.request.size}, the broker's {@code message.max.bytes}), while an input topic may allow
   * larger records; a larger key or value keeps its first {@value} bytes, and header {@link
   * #VALUE_TRUNCATED_HEADER} (or {@link #KEY_TRUNCATED_HEADER}) gives the original length and
   * SHA-256. Without the cut, such a record would fail the dead-letter sink, and the job, on every
   * replay.
   */
  public static final int MAX_KEPT_BYTES = 256 * 1024;

  /** Header of a dead letter whose value was cut: {@code "<length> bytes, sha256 <hex>"}. */
  public static final String VALUE_TRUNCATED_HEADER = "sluice.dead-letter.value-truncated";

  /** Header of a dead letter whose key was cut, as {@link #VALUE_TRUNCATED_HEADER}. */
  public static final String KEY_TRUNCATED_HEADER = "sluice.dead-letter.key-truncated";

  private DeadLetters() {}

  /** The position, timestamp, key, value and headers of a consumed record. */
  public static SourceRecord source(ConsumerRecord<byte[], byte[]> record) {
    Map<String, ByteBuffer> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(
          header.key(),
          header.value() == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(header.value()));
    }
    return SourceRecord.newBuilder()
        .setTopic(record.topic())
        .setPartition(record.partition())
        .setOffset(record.offset())
        .setRecordTimestamp(
            record.timestampType() == TimestampType.NO_TIMESTAMP_TYPE || record.timestamp() < 0
                ? null
                : Instant.ofEpochMilli(record.timestamp()))
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setHeaders(headers)
        .build();
  }

  /** A dead letter for {@code source}, rejected at {@code stage} for {@code reason}. */
  public static DeadLetter of(
      SourceRecord source, String stage, String errorClass, String reason, Instant failedAt) {
    Map<String, ByteBuffer> headers = source.getHeaders();
    ByteBuffer key = source.getKey();
    ByteBuffer value = source.getValue();
    if (tooLarge(key) || tooLarge(value)) {
      headers = new HashMap<>(headers);
      key = cut(key, KEY_TRUNCATED_HEADER, headers);
      value = cut(value, VALUE_TRUNCATED_HEADER, headers);
    }
    return DeadLetter.newBuilder()
        .setTopic(source.getTopic())
        .setPartition(source.getPartition())
        .setOffset(source.getOffset())
        .setRecordTimestamp(source.getRecordTimestamp())
        .setKey(key)
        .setValue(value)
        .setHeaders(headers)
        .setStage(stage)
        .setErrorClass(errorClass)
        .setReason(reason)
        .setFailedAt(failedAt)
        .build();
  }

  private static boolean tooLarge(ByteBuffer bytes) {
    return bytes != null && bytes.remaining() > MAX_KEPT_BYTES;
  }

  /** The first {@link #MAX_KEPT_BYTES} of {@code bytes}, noting the cut in {@code headers}. */
  private static ByteBuffer cut(ByteBuffer bytes, String header, Map<String, ByteBuffer> headers) {
    if (!tooLarge(bytes)) {
      return bytes;
    }
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    sha256.update(bytes.duplicate());
    String note = bytes.remaining() + " bytes, sha256 " + HexFormat.of().formatHex(sha256.digest());
    headers.put(header, ByteBuffer.wrap(note.getBytes(StandardCharsets.UTF_8)));
    byte[] kept = new byte[MAX_KEPT_BYTES];
    bytes.duplicate().get(kept);
    return ByteBuffer.wrap(kept);
  }

  public static DeadLetter of(
      ConsumerRecord<byte[], byte[]> record,
      String stage,
      String errorClass,
      String reason,
      Instant failedAt) {
    return of(source(record), stage, errorClass, reason, failedAt);
  }
}
