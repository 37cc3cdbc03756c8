package dev.sluice.state.offline;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;

/**
 * Reads a view's feature files as {@link ViewRow}s in a Flink {@code FileSource}, with the same
 * decoding and column check as {@link OfflineStoreReader#readViewRows(
 * org.apache.flink.core.fs.Path, ViewSchema, OfflineStoreReader.RecordHandler)} ({@link
 * ViewRowFile}).
 *
 * <p>A {@link BulkFormat} rather than a {@code StreamFormat} because only a bulk format sees the
 * split's path: a file whose columns do not fit the view fails with an {@link
 * OfflineSchemaException} naming it. A file is one split; the rows read so far are the checkpointed
 * position, which {@link #restoreReader} skips again.
 */
final class ViewRowFormat implements BulkFormat<ViewRow, FileSourceSplit> {
  private static final long serialVersionUID = 1L;

  /** Rows handed over per batch: enough to amortise the hand-over, few enough to stay small. */
  static final int BATCH_ROWS = 1024;

  private final ViewSchema view;

  ViewRowFormat(ViewSchema view) {
    this.view = Objects.requireNonNull(view, "view");
  }

  @Override
  public Reader<ViewRow> createReader(Configuration config, FileSourceSplit split)
      throws IOException {
    return open(split, 0);
  }

  @Override
  public Reader<ViewRow> restoreReader(Configuration config, FileSourceSplit split)
      throws IOException {
    CheckpointedPosition position =
        split
            .getReaderPosition()
            .orElse(new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 0));
    if (position.getOffset() != CheckpointedPosition.NO_OFFSET) {
      throw new IllegalArgumentException(
          "positions in view files are row counts, got offset "
              + position.getOffset()
              + " for "
              + split.path());
    }
    return open(split, position.getRecordsAfterOffset());
  }

  private Reader<ViewRow> open(FileSourceSplit split, long skip) throws IOException {
    if (split.offset() != 0 || split.length() != split.fileSize()) {
      throw new IllegalArgumentException(
          "view files are read whole, but got split " + split + " of " + split.path());
    }
    ViewRowFile file = ViewRowFile.open(split.path(), view);
    try {
      for (long i = 0; i < skip; i++) {
        if (file.next() == null) {
          throw new IOException(
              split.path() + " has fewer rows than the " + skip + " read before the restore");
        }
      }
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
    return new RowReader(file, skip);
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<ViewRow> getProducedType() {
    return TypeInformation.of(ViewRow.class);
  }

  /** Hands out a file's rows in batches; each batch is a new array, owned by its consumer. */
  private static final class RowReader implements Reader<ViewRow> {
    private final ViewRowFile file;
    private long read;

    RowReader(ViewRowFile file, long read) {
      this.file = file;
      this.read = read;
    }

    @Override
    public RecordIterator<ViewRow> readBatch() throws IOException {
      ViewRow[] rows = new ViewRow[BATCH_ROWS];
      int n = 0;
      for (ViewRow row; n < rows.length && (row = file.next()) != null; ) {
        rows[n++] = row;
      }
      if (n == 0) {
        return null;
      }
      ArrayResultIterator<ViewRow> batch = new ArrayResultIterator<>();
      batch.set(rows, n, CheckpointedPosition.NO_OFFSET, read);
      read += n;
      return batch;
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
