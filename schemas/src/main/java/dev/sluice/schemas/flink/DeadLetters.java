package dev.sluice.schemas.flink;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
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
    return DeadLetter.newBuilder()
        .setTopic(source.getTopic())
        .setPartition(source.getPartition())
        .setOffset(source.getOffset())
        .setRecordTimestamp(source.getRecordTimestamp())
        .setKey(source.getKey())
        .setValue(source.getValue())
        .setHeaders(source.getHeaders())
        .setStage(stage)
        .setErrorClass(errorClass)
        .setReason(reason)
        .setFailedAt(failedAt)
        .build();
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
