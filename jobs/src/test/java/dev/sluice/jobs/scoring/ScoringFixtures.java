package dev.sluice.jobs.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.operators.scoring.OnnxModelInspector;
import dev.sluice.schemas.kafka.RegistryAvroSerializer;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.state.models.InvalidModelException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The scoring ITCases' shared inputs: the ONNX fixtures of {@code src/test/resources/onnx} (four
 * features), feature rows made from the fixtures' numpy expectations, and candidates to register.
 */
final class ScoringFixtures {
  static final List<String> FEATURES = List.of("f0", "f1", "f2", "f3");
  static final long T0 = Instant.parse("2018-04-01T00:00:00Z").toEpochMilli();

  private ScoringFixtures() {}

  /** Row {@code i} of {@code expected.json}, as transaction {@code id} at T0 + i s. */
  static FeatureRow row(JsonNode expected, int i, String id) {
    Map<String, Double> features = new HashMap<>();
    JsonNode values = expected.get("rows").get(i);
    for (int c = 0; c < FEATURES.size(); c++) {
      features.put(FEATURES.get(c), values.get(c).asDouble());
    }
    return FeatureRow.newBuilder()
        .setEventId(id)
        .setEventTime(Instant.ofEpochMilli(T0 + 1_000L * i))
        .setEntities(Map.of("customer", "c-" + (i % 17), "terminal", "t-" + (i % 5)))
        .setFeatures(features)
        .setFeatureSetVersion("fs-test")
        .build();
  }

  static KafkaProducer<String, FeatureRow> producer(
      KafkaTestCluster kafka, SchemaRegistryClient client, RegistryConfig registry) {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(),
        new RegistryAvroSerializer<FeatureRow>(client, registry, false));
  }

  /**
   * A candidate of {@code model} declaring {@code features}; its signature is read from the bytes
   * when they load, otherwise (a corrupt file) from the valid logistic regression, so that the
   * validator is what refuses it.
   */
  static ModelVersion candidate(String model, byte[] onnx, List<String> features) throws Exception {
    ModelSignature signature;
    try {
      signature = OnnxModelInspector.proposeSignature(onnx, features, "1");
    } catch (InvalidModelException e) {
      signature = OnnxModelInspector.proposeSignature(fixture("tribuo_lr.onnx"), FEATURES, "1");
    }
    signature.setFeatures(new ArrayList<>(features));
    return ModelVersion.newBuilder()
        .setName(model)
        .setVersion(0)
        .setOnnx(ByteBuffer.wrap(onnx))
        .setSha256("")
        .setSignature(ModelSignature.newBuilder(signature).setFeatureSetVersion("fs-test").build())
        // Shift and scale default to empty.
        .setPreprocessing(Preprocessing.newBuilder().setKind(PreprocessingKind.NONE).build())
        .setThreshold(0.5)
        .setRegisteredAt(Instant.now())
        .setRegisteredBy("test")
        .build();
  }

  static byte[] fixture(String name) throws Exception {
    try (InputStream in = ScoringFixtures.class.getResourceAsStream("/onnx/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /** The fixtures' numpy expectations ({@code expected.json}). */
  static JsonNode expected() throws Exception {
    try (InputStream in = ScoringFixtures.class.getResourceAsStream("/onnx/expected.json")) {
      return new ObjectMapper().readTree(in);
    }
  }
}
