package dev.sluice.state.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;

class OfflineStoreLayoutTest {
  private final OfflineStoreLayout layout = new OfflineStoreLayout("s3://bucket/offline/");

  @Test
  void pathsFollowTheFixedLayout() {
    LocalDate day = LocalDate.of(2018, 4, 1);
    assertThat(layout.baseUri()).isEqualTo("s3://bucket/offline");
    assertThat(layout.featuresDir()).isEqualTo(new Path("s3://bucket/offline/features"));
    assertThat(layout.viewDir("customer_spending"))
        .isEqualTo(new Path("s3://bucket/offline/features/view=customer_spending"));
    assertThat(layout.viewPartition("customer_spending", day))
        .isEqualTo(new Path("s3://bucket/offline/features/view=customer_spending/dt=2018-04-01"));
    assertThat(layout.rawDir(OfflineStoreLayout.TRANSACTIONS))
        .isEqualTo(new Path("s3://bucket/offline/raw/transactions"));
    assertThat(layout.rawPartition(OfflineStoreLayout.LABELS, day))
        .isEqualTo(new Path("s3://bucket/offline/raw/labels/dt=2018-04-01"));
    assertThat(new OfflineStoreLayout("file:///tmp/x").viewDir("v"))
        .isEqualTo(new Path("file:///tmp/x/features/view=v"));
  }

  @Test
  void datePartitionIsTheUtcDateOfEventTime() {
    long lastMilliOfMarch = Instant.parse("2018-03-31T23:59:59.999Z").toEpochMilli();
    assertThat(OfflineStoreLayout.dtBucket(lastMilliOfMarch)).isEqualTo("dt=2018-03-31");
    assertThat(OfflineStoreLayout.dtBucket(lastMilliOfMarch + 1)).isEqualTo("dt=2018-04-01");
    assertThat(OfflineStoreLayout.viewBucket("customer_spending", lastMilliOfMarch + 1))
        .isEqualTo("view=customer_spending/dt=2018-04-01");
    assertThat(OfflineStoreLayout.parseDtDirName("dt=2018-04-01"))
        .isEqualTo(LocalDate.of(2018, 4, 1));
    assertThat(OfflineStoreLayout.parseDtDirName("view=x")).isNull();
    assertThatThrownBy(() -> OfflineStoreLayout.parseDtDirName("dt=2018-13-01"))
        .hasMessageContaining("dt=2018-13-01");
  }

  @Test
  void onlyVisibleParquetFilesAreData() {
    assertThat(OfflineStoreLayout.isFinishedDataFile("part-8f2c-0-3.parquet")).isTrue();
    assertThat(OfflineStoreLayout.isFinishedDataFile(".part-8f2c-0-3.parquet.inprogress.1a2b"))
        .isFalse();
    assertThat(OfflineStoreLayout.isFinishedDataFile("_SUCCESS")).isFalse();
    assertThat(OfflineStoreLayout.isFinishedDataFile("part-0.csv")).isFalse();
  }

  @Test
  void rejectsBasesWithoutSchemeAndBadNames() {
    assertThatThrownBy(() -> new OfflineStoreLayout("/var/sluice/offline"))
        .hasMessageContaining("needs a scheme");
    assertThatThrownBy(() -> layout.viewDir("Customer/../x")).hasMessageContaining("view name");
    assertThatThrownBy(() -> layout.rawDir("")).hasMessageContaining("archive name");
  }

  @Test
  void dtRangeIsInclusiveAndMayBeOpen() {
    LocalDate d1 = LocalDate.of(2018, 4, 1);
    LocalDate d3 = LocalDate.of(2018, 4, 3);
    DtRange range = DtRange.between(d1, d3);
    assertThat(range.contains(d1)).isTrue();
    assertThat(range.contains(d3)).isTrue();
    assertThat(range.contains(d3.plusDays(1))).isFalse();
    assertThat(range.contains(d1.minusDays(1))).isFalse();
    assertThat(new DtRange(null, d1).contains(LocalDate.of(1999, 1, 1))).isTrue();
    assertThat(DtRange.ALL.contains(LocalDate.of(2100, 1, 1))).isTrue();
    assertThatThrownBy(() -> DtRange.between(d3, d1)).hasMessageContaining("starts after");
  }
}
