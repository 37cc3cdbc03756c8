package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Client properties from files and options: which wins, what is refused, what is echoed. */
class ConnectionOptionsTest {

  private static ConnectionOptions parse(String... args) {
    ConnectionOptions options = new ConnectionOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  @Test
  void secretsComeFromFilesAndTheCommandLineWinsOverThem(@TempDir Path dir) throws Exception {
    Path kafka =
        Files.writeString(
            dir.resolve("kafka.properties"),
            "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"u\" password=\"file-secret\";\n");
    Path registry =
        Files.writeString(
            dir.resolve("registry.properties"),
            "basic.auth.user.info=svc:registry-secret\nschema.registry.max.retries=1\n");

    ConnectionOptions options =
        parse(
            "--bootstrap-servers", "10.0.0.1:9093",
            "--registry-url", "https://registry.example:8085",
            "--kafka-properties-file", kafka.toString(),
            "--kafka-property", "sasl.mechanism=PLAIN",
            "--registry-properties-file", registry.toString(),
            "--registry-property", "schema.registry.max.retries=3");

    assertThat(options.kafka().consumer())
        .containsEntry("bootstrap.servers", "10.0.0.1:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN");
    assertThat(options.kafka().toString()).doesNotContain("file-secret");
    assertThat(options.registry().basicAuthUserInfo()).isEqualTo("svc:registry-secret");
    assertThat(options.registry().maxRetries()).isEqualTo(3);
    assertThat(options.registry().toString()).doesNotContain("registry-secret");
    // Passed on to commands the demo runs: the file by its path, not its contents.
    assertThat(options.args())
        .contains("--kafka-properties-file", kafka.toString())
        .doesNotContain("file-secret");
  }

  @Test
  void aMalformedPairIsRefusedWithoutEchoingIt() {
    ConnectionOptions options = parse("--kafka-property", "hunter2-typed-without-a-key");

    assertThatThrownBy(options::kafka)
        .hasMessageContaining("--kafka-property #1 is not KEY=VALUE")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void theRegistryUrlIsNotAPropertyAndAMissingFileIsNamed(@TempDir Path dir) {
    assertThatThrownBy(
            () -> parse("--registry-property", "schema.registry.url=http://x:1").registry())
        .hasMessageContaining("--registry-url");
    Path missing = dir.resolve("absent.properties");
    assertThatThrownBy(() -> parse("--kafka-properties-file", missing.toString()).kafka())
        .hasMessageContaining("--kafka-properties-file '" + missing + "' is not a readable file");
  }
}
