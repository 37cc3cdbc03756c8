package dev.sluice.cli;

import dev.sluice.cli.infra.KafkaService;
import dev.sluice.cli.infra.RegistryService;
import dev.sluice.schemas.registry.RegistryConfig;
import java.util.HashMap;
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
    return args;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The registry configuration, failing with the offending property named. */
  public RegistryConfig registry() {
    Map<String, String> props = new HashMap<>();
    for (String property : registryProperties) {
      int eq = property.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--registry-property '" + property + "' is not KEY=VALUE");
      }
      props.put(property.substring(0, eq).trim(), property.substring(eq + 1).trim());
    }
    props.put(RegistryConfig.URL, registryUrl);
    return RegistryConfig.fromProperties(props);
  }
}
