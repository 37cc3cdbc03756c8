package dev.sluice.state.online;

import static dev.sluice.state.online.OnlineStoreTestData.ALL;
import static dev.sluice.state.online.OnlineStoreTestData.SPENDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class OnlineStoreSinkTest {
  private static final RedisSettings LOCAL = RedisSettings.standalone("localhost", 6379);

  @Test
  void theSinkIsSerializableAndChecksItsArguments() throws Exception {
    OnlineStoreSink sink = new OnlineStoreSink(LOCAL, ALL);
    OnlineStoreSink copy = InstantiationUtil.clone(sink);
    assertThat(copy.settings()).isEqualTo(sink.settings());
    assertThat(copy.schemas()).isEqualTo(ALL);

    assertThatThrownBy(() -> new OnlineStoreSink(LOCAL, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OnlineStoreSink(LOCAL, List.of(SPENDING, SPENDING)))
        .hasMessageContaining("customer_spending");
    assertThatThrownBy(() -> new OnlineStoreSink(LOCAL, ALL, 0, Duration.ZERO))
        .hasMessageContaining("batch size");
  }

  @Test
  void aNegativeMaxBufferTimeIsRefused() {
    assertThatThrownBy(() -> new OnlineStoreSink(LOCAL, ALL, 10, Duration.ofMillis(-1)))
        .hasMessageContaining("max buffer time");
  }
}
