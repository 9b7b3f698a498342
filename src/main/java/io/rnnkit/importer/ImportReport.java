package io.rnnkit.importer;

import java.util.ArrayList;
import java.util.List;

/** Formats import report rows as a left-aligned text table. */
public final class ImportReport {
  private ImportReport() {}

  /** Returns the rows as a table with a header line, each line ending in a newline. */
  public static String table(List<ReportRow> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"SOURCE KEY", "SHAPE", "TARGET", "STATUS", "TRANSFORMATION / NOTE"});
    for (ReportRow row : rows) {
      cells.add(
          new String[] {
            row.sourceKey(), row.sourceShape(), row.target(), row.status().name(), row.detail()
          });
    }
    int[] widths = new int[5];
    for (String[] line : cells) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] line : cells) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        text.append(String.format("%-" + widths[i] + "s  ", line[i]));
      }
      out.append(text.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
