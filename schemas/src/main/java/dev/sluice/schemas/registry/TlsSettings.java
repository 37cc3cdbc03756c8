package dev.sluice.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS material for https registries, in the {@code ssl.*} vocabulary of Kafka clients. Empty
 * settings mean "use the JVM's default trust store and no client certificate".
 */
public record TlsSettings(
    String truststoreLocation,
    String truststorePassword,
    String truststoreType,
    String keystoreLocation,
    String keystorePassword,
    String keystoreType,
    String keyPassword)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final TlsSettings NONE =
      new TlsSettings(null, null, "PKCS12", null, null, "PKCS12", null);

  static TlsSettings fromProperties(Map<String, ?> props, String prefix) {
    return new TlsSettings(
        RegistryConfig.string(props, prefix + "truststore.location", null),
        RegistryConfig.string(props, prefix + "truststore.password", null),
        RegistryConfig.string(props, prefix + "truststore.type", "PKCS12"),
        RegistryConfig.string(props, prefix + "keystore.location", null),
        RegistryConfig.string(props, prefix + "keystore.password", null),
        RegistryConfig.string(props, prefix + "keystore.type", "PKCS12"),
        RegistryConfig.string(props, prefix + "key.password", null));
  }

  /** Whether any TLS material was configured. */
  public boolean isConfigured() {
    return truststoreLocation != null || keystoreLocation != null;
  }

  /** Builds the SSL context; a missing or unreadable store fails with its path in the message. */
  public SSLContext sslContext() {
    try {
      TrustManagerFactory tmf = null;
      if (truststoreLocation != null) {
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load("truststore", truststoreLocation, truststoreType, truststorePassword));
      }
      KeyManagerFactory kmf = null;
      if (keystoreLocation != null) {
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPass = keyPassword != null ? keyPassword : keystorePassword;
        kmf.init(
            load("keystore", keystoreLocation, keystoreType, keystorePassword),
            keyPass == null ? null : keyPass.toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(),
          null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS for the schema registry: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(String what, String location, String type, String password)
      throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read schema registry " + what + " '" + location + "': " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return isConfigured()
        ? "TlsSettings{truststore=" + truststoreLocation + ", keystore=" + keystoreLocation + "}"
        : "default";
  }
}
