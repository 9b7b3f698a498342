package io.rnnkit.importer;

import java.io.IOException;
import java.util.List;

/** An import that failed; {@link #rows()} is the report up to the failure, for printing. */
public final class ImportException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient List<ReportRow> rows;

  public ImportException(String message, List<ReportRow> rows, Throwable cause) {
    super(message, cause);
    this.rows = List.copyOf(rows);
  }

  /** Returns the report rows gathered before the failure. */
  public List<ReportRow> rows() {
    return rows;
  }
}
