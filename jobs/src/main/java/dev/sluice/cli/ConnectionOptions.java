package dev.sluice.cli;

import dev.sluice.cli.infra.KafkaService;
import dev.sluice.cli.infra.RegistryService;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.state.KafkaClientSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where Kafka and the schema registry are; defaults are the local infrastructure's fixed ports. */
public final class ConnectionOptions {
  @Option(
      names = "--bootstrap-servers",
      defaultValue = KafkaService.BOOTSTRAP,
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--registry-url",
      defaultValue = RegistryService.URL,
      description =
          "Confluent-compatible schema registry base URL(s), comma-separated (default: ${DEFAULT-VALUE}).")
  String registryUrl;

  @Option(
      names = "--registry-property",
      paramLabel = "KEY=VALUE",
      description =
          "Extra registry client property, e.g. basic.auth.user.info=user:pass (repeatable).")
  List<String> registryProperties = List.of();

  @Option(
      names = "--registry-properties-file",
      paramLabel = "FILE",
      description =
          "Java properties file of registry client properties (keeps secrets off the command line);"
              + " --registry-property wins over it.")
  Path registryPropertiesFile;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description = {
        "Extra Kafka client property for every consumer, producer and admin client (repeatable),",
        "e.g. security.protocol=SASL_SSL, sasl.mechanism=PLAIN, ssl.truststore.location=/path."
      })
  List<String> kafkaProperties = List.of();

  @Option(
      names = "--kafka-properties-file",
      paramLabel = "FILE",
      description =
          "Java properties file of Kafka client properties (keeps sasl.jaas.config and passwords off"
              + " the command line); --kafka-property wins over it.")
  Path kafkaPropertiesFile;

  /** The local infrastructure's (what the defaults give), for commands without these options. */
  static ConnectionOptions local() {
    ConnectionOptions local = new ConnectionOptions();
    local.bootstrapServers = KafkaService.BOOTSTRAP;
    local.registryUrl = RegistryService.URL;
    return local;
  }

  /** These options as command-line arguments, to run another command against the same services. */
  List<String> args() {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("--bootstrap-servers", bootstrapServers, "--registry-url", registryUrl));
    for (String property : registryProperties) {
      args.addAll(List.of("--registry-property", property));
    }
    if (registryPropertiesFile != null) {
      args.addAll(List.of("--registry-properties-file", registryPropertiesFile.toString()));
    }
    for (String property : kafkaProperties) {
      args.addAll(List.of("--kafka-property", property));
    }
    if (kafkaPropertiesFile != null) {
      args.addAll(List.of("--kafka-properties-file", kafkaPropertiesFile.toString()));
    }
    return args;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The registry configuration, failing with the offending property named. */
  public RegistryConfig registry() {
    Map<String, String> props =
        new HashMap<>(PropertiesFiles.load("--registry-properties-file", registryPropertiesFile));
    props.putAll(PropertiesFiles.keyValues("--registry-property", registryProperties));
    if (props.containsKey(RegistryConfig.URL)) {
      throw new IllegalArgumentException(
          "--registry-property " + RegistryConfig.URL + " is set by --registry-url: use that");
    }
    props.put(RegistryConfig.URL, registryUrl);
    try {
      return RegistryConfig.fromKnownProperties(props, "--registry-property");
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      if (message.startsWith("--registry-property")) {
        throw e;
      }
      String option =
          message.startsWith(RegistryConfig.URL) ? "--registry-url" : "--registry-property";
      throw new IllegalArgumentException(option + ": " + message, e);
    }
  }

  /**
   * How every Kafka client connects: {@code --bootstrap-servers} plus the properties of {@code
   * --kafka-properties-file} and {@code --kafka-property} (which wins), validated.
   */
  public KafkaClientSettings kafka() {
    Map<String, String> props =
        new LinkedHashMap<>(PropertiesFiles.load("--kafka-properties-file", kafkaPropertiesFile));
    props.putAll(PropertiesFiles.keyValues("--kafka-property", kafkaProperties));
    return new KafkaClientSettings(bootstrapServers, props);
  }
}
