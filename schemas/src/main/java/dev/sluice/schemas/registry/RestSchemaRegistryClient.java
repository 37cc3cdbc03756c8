package dev.sluice.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchemaRegistryClient} over the documented Confluent Schema Registry REST API (v1 content
 * type), so it works against Confluent Schema Registry, Apicurio's {@code /apis/ccompat/v7},
 * Karapace and Redpanda.
 *
 * <p>Failure handling: connection errors, timeouts, 5xx, 408 and 429 are retried with exponential
 * backoff and jitter, rotating through the configured URLs; when the retries are spent it throws
 * {@link RegistryUnavailableException}. Any other 4xx throws {@link SchemaRegistryException} at
 * once, with the subject (or id) and the registry's own message. No caching here: wrap it in {@link
 * CachingSchemaRegistryClient} (as {@link SchemaRegistryClients} does).
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONFLICT_ATTEMPTS = 3;

  private final RegistryConfig config;
  private final HttpClient http;
  private final String authorization;
  private final AtomicInteger preferredUrl = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();

  public RestSchemaRegistryClient(RegistryConfig config) {
    if (config.isMock()) {
      throw new IllegalArgumentException(
          "mock:// URLs need MockSchemaRegistryClient, not the REST client");
    }
    this.config = config;
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(config.requestTimeout())
            // Stated, although it is the default: see redirected().
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1);
    if (config.tls().isConfigured()) {
      builder.sslContext(config.tls().sslContext());
    }
    this.http = builder.build();
    this.authorization =
        config.basicAuthUserInfo() == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int register(String subject, Schema schema) {
    String body = schemaBody(schema);
    String operation = "register a schema under subject '" + subject + "'";
    SchemaRegistryException conflict = null;
    // Writers registering the same new subject at once: some registries (Apicurio) answer 409
    // "already
    // exists" to one or even all of them. If the schema is there then, registration did what was
    // asked;
    // if not, registering again resolves the race. A real incompatibility stays 409 and is thrown.
    for (int attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
      try {
        return send("POST", "/subjects/" + encode(subject) + "/versions", body, operation)
            .path("id")
            .asInt();
      } catch (SchemaRegistryException e) {
        if (e.httpStatus() != 409) {
          throw e;
        }
        conflict = e;
      }
      try {
        return lookup(subject, schema);
      } catch (SchemaRegistryException notThere) {
        if (!notThere.isNotFound()) {
          throw notThere;
        }
      }
      sleepQuietly(config.initialBackoff().toMillis() * (attempt + 1), operation);
    }
    throw conflict;
  }

  @Override
  public int lookup(String subject, Schema schema) {
    JsonNode body =
        send(
            "POST",
            "/subjects/" + encode(subject),
            schemaBody(schema),
            "look up a schema under subject '" + subject + "'");
    return body.path("id").asInt();
  }

  @Override
  public Schema getById(int id) {
    JsonNode body = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
    return parse(body.path("schema").asText(), "schema id " + id);
  }

  @Override
  public RegisteredSchema getLatest(String subject) {
    JsonNode body =
        send(
            "GET",
            "/subjects/" + encode(subject) + "/versions/latest",
            null,
            "fetch the latest version of subject '" + subject + "'");
    return new RegisteredSchema(
        subject,
        body.path("version").asInt(),
        body.path("id").asInt(),
        parse(body.path("schema").asText(), "subject '" + subject + "'"));
  }

  @Override
  public CompatibilityResult testCompatibility(String subject, Schema schema) {
    try {
      JsonNode body =
          send(
              "POST",
              "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true",
              schemaBody(schema),
              "test compatibility with subject '" + subject + "'");
      List<String> messages = new ArrayList<>();
      body.path("messages").forEach(m -> messages.add(m.asText()));
      if (body.hasNonNull("reason")) {
        messages.add(body.get("reason").asText()); // Apicurio's ccompat API sends one string
      }
      return new CompatibilityResult(body.path("is_compatible").asBoolean(false), messages);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        return new CompatibilityResult(true, List.of()); // nothing registered yet: anything goes
      }
      throw e;
    }
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
    send(
        "PUT",
        "/config/" + encode(subject),
        body.toString(),
        "set compatibility of subject '" + subject + "'");
  }

  @Override
  public List<String> subjects() {
    JsonNode body = send("GET", "/subjects", null, "list subjects");
    List<String> subjects = new ArrayList<>();
    body.forEach(s -> subjects.add(s.asText()));
    return subjects;
  }

  /** HTTP requests sent so far, retries included (lets tests see cache hits). */
  public long requestCount() {
    return requests.get();
  }

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() before Java 21; its threads are daemons.
  }

  private JsonNode send(String method, String path, String body, String operation) {
    int attempts = config.maxRetries() + 1;
    long backoff = config.initialBackoff().toMillis();
    String lastProblem = null;
    Exception lastCause = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      int urlIndex = Math.floorMod(preferredUrl.get(), config.urls().size());
      String base = config.urls().get(urlIndex);
      try {
        HttpResponse<String> response =
            http.send(request(base, method, path, body), HttpResponse.BodyHandlers.ofString());
        requests.incrementAndGet();
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return response.body().isEmpty()
              ? JSON.createObjectNode()
              : JSON.readTree(response.body());
        }
        if (status >= 300 && status < 400) {
          throw redirected(operation, base, status, response);
        }
        if (!retryable(status)) {
          throw refused(operation, base, status, response.body());
        }
        lastProblem = "HTTP " + status + " " + registryMessage(response.body());
      } catch (IOException e) {
        requests.incrementAndGet();
        lastProblem =
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        lastCause = e;
        preferredUrl.compareAndSet(urlIndex, urlIndex + 1); // fail over to the next URL
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException("interrupted while trying to " + operation, e);
      }
      if (attempt < attempts) {
        long sleep = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        LOG.warn(
            "Schema registry {} failed to {} ({}); retry {}/{} in {} ms",
            base,
            operation,
            lastProblem,
            attempt,
            attempts - 1,
            sleep);
        sleepQuietly(sleep, operation);
        backoff = Math.min(backoff * 2, config.maxBackoff().toMillis());
      }
    }
    throw new RegistryUnavailableException(
        "schema registry "
            + config.urls()
            + " unavailable: could not "
            + operation
            + " after "
            + attempts
            + " attempt(s); last error: "
            + lastProblem,
        lastCause);
  }

  private HttpRequest request(String base, String method, String path, String body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(stripSlash(base) + path))
            .timeout(config.requestTimeout())
            .header("Accept", CONTENT_TYPE + ", application/json");
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return builder.build();
  }

  private static boolean retryable(int status) {
    return status >= 500 || status == 408 || status == 429;
  }

  private static SchemaRegistryException refused(
      String operation, String base, int status, String body) {
    int errorCode = 0;
    try {
      errorCode = JSON.readTree(body).path("error_code").asInt(0);
    } catch (IOException ignored) {
      // not JSON: the message below carries the raw body
    }
    String hint = status == 401 || status == 403 ? " (check basic.auth.user.info)" : "";
    return new SchemaRegistryException(
        "schema registry "
            + base
            + " refused to "
            + operation
            + ": HTTP "
            + status
            + (errorCode > 0 ? " error " + errorCode : "")
            + ": "
            + registryMessage(body)
            + hint,
        status,
        errorCode);
  }

  /**
   * A redirect is never followed (the HTTP client's policy is {@code NEVER}): following it could
   * send the Authorization header, or the schema, to a host nobody configured.
   */
  private static SchemaRegistryException redirected(
      String operation, String base, int status, HttpResponse<String> response) {
    String location = response.headers().firstValue("Location").orElse(null);
    String where;
    if (location == null) {
      where = "without a Location";
    } else {
      URI target;
      try {
        target = URI.create(base).resolve(location);
      } catch (IllegalArgumentException e) {
        target = null;
      }
      where =
          target == null || target.getHost() == null
              ? "to an unparseable Location"
              : "to host "
                  + target.getHost()
                  + (target.getPort() < 0 ? "" : ":" + target.getPort())
                  + " ("
                  + RegistryConfig.redact(target.toString())
                  + ")";
    }
    return new SchemaRegistryException(
        "schema registry "
            + base
            + " answered HTTP "
            + status
            + " redirecting "
            + where
            + " when asked to "
            + operation
            + "; redirects are not followed (credentials must not go elsewhere): set "
            + RegistryConfig.URL
            + " (--registry-url) to the registry's real address",
        status,
        0);
  }

  private static String registryMessage(String body) {
    if (body == null || body.isBlank()) {
      return "(empty response)";
    }
    try {
      JsonNode node = JSON.readTree(body);
      if (node.hasNonNull("message")) {
        return node.get("message").asText();
      }
    } catch (IOException ignored) {
      // fall through to the raw body
    }
    return body.length() > 500 ? body.substring(0, 500) + "..." : body;
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static Schema parse(String text, String what) {
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          "registry returned an unparseable Avro schema for " + what + ": " + e.getMessage(), 0, 0);
    }
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String stripSlash(String base) {
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  private static void sleepQuietly(long millis, String operation) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("interrupted while waiting to retry: " + operation, e);
    }
  }

  /** Base URLs in use (for messages). */
  public List<String> urls() {
    return config.urls();
  }
}
