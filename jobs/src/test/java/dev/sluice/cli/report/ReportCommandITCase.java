package dev.sluice.cli.report;

import static dev.sluice.cli.report.ReportFixtures.MODEL;
import static dev.sluice.cli.report.ReportFixtures.alert;
import static dev.sluice.cli.report.ReportFixtures.drift;
import static dev.sluice.cli.report.ReportFixtures.metrics;
import static dev.sluice.cli.report.ReportFixtures.retraining;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.AlertState;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.cli.SluiceCli;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.serde.AvroWireSerializer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice report} reading real topics through the registry, another model's records left out.
 */
class ReportCommandITCase {
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  @TempDir Path dir;

  @Test
  void readsTheModelsRecordsFromTheTopicsAndDrawsThem() throws Exception {
    String prefix = "report-it";
    for (String t : List.of("metrics", "drift", "alerts", "retraining")) {
      SERVICES.kafka().createTopic(prefix + "-" + t, 1);
    }
    var other = metrics(7, false, 3, MetricsStatus.FINAL, 0.5, 0.1, 1);
    other.setModelName("other-model");
    send(
        prefix + "-metrics",
        List.of(
            metrics(1, false, 1, MetricsStatus.FINAL, 0.91, 0.6, 1),
            metrics(1, false, 2, MetricsStatus.FINAL, 0.89, 0.6, 1),
            metrics(3, true, 2, MetricsStatus.PROVISIONAL, 0.95, 0.7, 1),
            other));
    send(prefix + "-drift", List.of(drift("TX_AMOUNT", 2, 0.4, 0.2)));
    send(prefix + "-alerts", List.of(alert("auc-drop", "auc_roc", 2, AlertState.FIRING, 1)));
    send(
        prefix + "-retraining",
        List.of(retraining(RetrainingEventType.PROMOTED, 2.5, 3, 1, "live gate")));

    Path html = dir.resolve("r.html");
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new SluiceCli());
    cli.setOut(new PrintWriter(out, true));
    int exit =
        cli.execute(
            "report",
            "--model",
            MODEL,
            "--out",
            html.toString(),
            "--bootstrap-servers",
            SERVICES.kafka().bootstrapServers(),
            "--registry-url",
            SERVICES.registry().url(),
            "--metrics-topic",
            prefix + "-metrics",
            "--drift-topic",
            prefix + "-drift",
            "--alerts-topic",
            prefix + "-alerts",
            "--retraining-topic",
            prefix + "-retraining");
    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("report: " + html)
        .contains("read 3 metrics, 1 drift results, 1 alerts, 1 retraining events");
    String page = Files.readString(html);
    assertThat(page).contains("v1 champion decisions").contains("v3 shadow").contains("TX_AMOUNT");
    assertThat(page).contains("v3 promoted").doesNotContain("v7");
  }

  private void send(String topic, List<? extends SpecificRecord> records) throws Exception {
    AvroWireSerializer<GenericContainer> serializer =
        new AvroWireSerializer<>(
            SERVICES.client(), RegistryConfig.of(SERVICES.registry().url()), false);
    try (KafkaProducer<byte[], byte[]> producer = SERVICES.kafka().rawProducer()) {
      for (SpecificRecord r : records) {
        producer.send(new ProducerRecord<>(topic, serializer.serialize(topic, r))).get();
      }
    }
  }
}
