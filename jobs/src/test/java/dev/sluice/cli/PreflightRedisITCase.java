package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.state.online.RedisSettings;
import dev.sluice.state.testing.RedisServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The preflight against a real redis-server with requirepass and an ACL user. */
class PreflightRedisITCase {
  private static final String PASSWORD = "redis-pf-secret";
  private static final String USER_PASSWORD = "acl-pf-secret";
  private static RedisServer redis;

  @BeforeAll
  static void start() throws Exception {
    redis =
        RedisServer.start(
            List.of(
                "--requirepass",
                PASSWORD,
                "--user",
                "feast",
                "on",
                ">" + USER_PASSWORD,
                "~*",
                "&*",
                "+@all"));
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  private static RedisSettings settings() {
    return RedisSettings.standalone(redis.host(), redis.port());
  }

  @Test
  void theRightPasswordOrUserPasses() {
    new Preflight().redis(settings().withPassword(PASSWORD), "--redis").run();
    new Preflight().redis(settings().withCredentials("feast", USER_PASSWORD), "--redis").run();
  }

  @Test
  void aWrongOrMissingPasswordIsNamedWithoutShowingIt() {
    assertThatThrownBy(
            () ->
                new Preflight()
                    .redis(settings().withPassword("wrong-" + PASSWORD), "--redis")
                    .run())
        .hasMessageContaining(redis.address())
        .hasMessageContaining("refused authentication")
        .hasMessageContaining("redis.password")
        .hasMessageNotContaining(PASSWORD);
    assertThatThrownBy(() -> new Preflight().redis(settings(), "--redis").run())
        .hasMessageContaining("redis.password");
    assertThatThrownBy(
            () ->
                new Preflight()
                    .redis(settings().withCredentials("feast", "wrong"), "--redis")
                    .run())
        .hasMessageContaining("redis.user")
        .hasMessageContaining("redis.password");
  }

  @Test
  void aRedisThatDoesNotAnswerNamesTheOption() {
    assertThatThrownBy(
            () -> new Preflight().redis(RedisSettings.standalone("127.0.0.1", 1), "--redis").run())
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageContaining("does not answer (--redis)");
  }
}
