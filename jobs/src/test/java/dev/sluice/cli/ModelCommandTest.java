package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Usage of {@code sluice model ...}: checked before anything connects. */
class ModelCommandTest {
  private final CliRun cli = new CliRun();

  @Test
  void helpListsTheSubcommandsAndTheRegistryOptions() {
    assertThat(cli.run("--help")).isZero();
    assertThat(cli.out()).contains("model");

    assertThat(cli.run("model", "--help")).isZero();
    assertThat(cli.out()).contains("list", "show", "promote", "demote", "rollback", "history");

    assertThat(cli.run("model", "promote", "--help")).isZero();
    assertThat(cli.out())
        .contains("--registry-topic", "model-registry")
        .contains("--bootstrap-servers", "--registry-url", "--alias", "default: champion");
  }

  @Test
  void aMissingOrNonNumericVersionIsAUsageError() {
    assertThat(cli.run("model", "promote", "fraud")).isEqualTo(2);
    assertThat(cli.err()).contains("Missing required parameter: 'VERSION'");

    assertThat(cli.run("model", "promote", "fraud", "latest")).isEqualTo(2);
    assertThat(cli.err()).contains("'latest' is not an int");
  }

  @Test
  void demoteNeedsTheAliasSpelledOut() {
    assertThat(cli.run("model", "demote", "fraud")).isEqualTo(2);
    assertThat(cli.err()).contains("Missing required option: '--alias=<alias>'");
  }
}
