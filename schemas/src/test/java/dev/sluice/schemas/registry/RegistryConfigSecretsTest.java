package dev.sluice.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Credentials given to the registry client never show up in its toString or its messages. */
class RegistryConfigSecretsTest {

  @Test
  void credentialsInTheUrlBecomeBasicAuthAndLeaveTheUrl() {
    RegistryConfig config = RegistryConfig.of("http://alice:p%40ss-url@127.0.0.1:8085/apis");

    assertThat(config.urls()).containsExactly("http://127.0.0.1:8085/apis");
    assertThat(config.basicAuthUserInfo()).isEqualTo("alice:p@ss-url");
    assertThat(config.toString()).contains("alice:***").doesNotContain("p@ss-url");
  }

  @Test
  void differingCredentialsInUrlAndPropertyAreRefusedWithoutShowingEither() {
    assertThatThrownBy(
            () ->
                RegistryConfig.fromProperties(
                    Map.of(
                        RegistryConfig.URL,
                        "http://alice:url-secret@127.0.0.1:8085",
                        RegistryConfig.BASIC_AUTH_USER_INFO,
                        "alice:prop-secret")))
        .hasMessageContaining(RegistryConfig.BASIC_AUTH_USER_INFO)
        .hasMessageNotContaining("url-secret")
        .hasMessageNotContaining("prop-secret");
  }

  @Test
  void aBadUrlIsNamedWithItsCredentialsRedacted() {
    assertThatThrownBy(() -> RegistryConfig.of("ftp://bob:hunter2@127.0.0.1:8085"))
        .hasMessageContaining(RegistryConfig.URL)
        .hasMessageContaining("ftp://***@127.0.0.1:8085")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void storePasswordsAreNotShown() {
    RegistryConfig config =
        RegistryConfig.fromProperties(
            Map.of(
                RegistryConfig.URL,
                "https://127.0.0.1:8085",
                "schema.registry.ssl.truststore.location",
                "/tmp/trust.p12",
                "schema.registry.ssl.truststore.password",
                "trust-secret",
                "schema.registry.ssl.keystore.location",
                "/tmp/key.p12",
                "schema.registry.ssl.keystore.password",
                "keystore-secret",
                "schema.registry.ssl.key.password",
                "key-secret"));

    assertThat(config.toString())
        .contains("/tmp/trust.p12")
        .doesNotContain("trust-secret")
        .doesNotContain("keystore-secret")
        .doesNotContain("key-secret");
    assertThat(config.tls().toString()).doesNotContain("secret");
  }

  @Test
  void strictParsingRefusesAnUnknownKeyNamingOptionAndKey() {
    assertThatThrownBy(
            () ->
                RegistryConfig.fromKnownProperties(
                    Map.of(
                        RegistryConfig.URL, "http://127.0.0.1:8085", "basic.auth.userinfo", "a:b"),
                    "--registry-property"))
        .hasMessageContaining("--registry-property")
        .hasMessageContaining("'basic.auth.userinfo'")
        .hasMessageContaining(RegistryConfig.BASIC_AUTH_USER_INFO);
  }
}
