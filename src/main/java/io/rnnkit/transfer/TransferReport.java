package io.rnnkit.transfer;

import java.util.ArrayList;
import java.util.List;

/**
 * Outcome of a weight transfer for each variable of the new model and each pretrained tensor.
 *
 * @param rows one row per variable of the new model, in creation order, then one per pretrained
 *     tensor left out
 * @param optimizerStateKeys pretrained optimizer slots and step counters, never loaded
 */
public record TransferReport(List<Row> rows, int optimizerStateKeys) {

  public TransferReport {
    rows = List.copyOf(rows);
  }

  /** Fate of one variable or pretrained tensor. */
  public enum Status {
    /** Copied from the pretrained model. */
    LOADED,
    /** Embedding whose first rows were copied and whose added rows keep their initial values. */
    EXTENDED,
    /** Kept at its initial value: a new head, or a mismatch allowed by {@code allowPartial}. */
    NEW,
    /** A pretrained tensor that no variable of the new model takes. */
    LEFT_OUT
  }

  /**
   * @param name variable name, or the pretrained key for {@link Status#LEFT_OUT}
   * @param shape shape as {@code [d0, d1]}
   * @param status what happened to it
   * @param source where the value came from ({@code key @ bundle}), or an empty string
   * @param reason why a variable is new or a tensor is left out, or an empty string
   */
  public record Row(String name, String shape, Status status, String source, String reason) {}

  /** Returns the names of the variables with status {@code status}, in row order. */
  public List<String> names(Status status) {
    List<String> names = new ArrayList<>();
    for (Row row : rows) {
      if (row.status() == status) {
        names.add(row.name());
      }
    }
    return names;
  }

  /** Formats the rows as an aligned text table with a header line. */
  public String table() {
    String[] header = {"variable", "shape", "status", "source", "reason"};
    int[] widths = new int[header.length];
    List<String[]> lines = new ArrayList<>();
    lines.add(header);
    for (Row row : rows) {
      lines.add(
          new String[] {row.name(), row.shape(), row.status().name(), row.source(), row.reason()});
    }
    for (String[] line : lines) {
      for (int c = 0; c < line.length; c++) {
        widths[c] = Math.max(widths[c], line[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] line : lines) {
      StringBuilder text = new StringBuilder();
      for (int c = 0; c < line.length; c++) {
        text.append(String.format("%-" + widths[c] + "s", line[c]));
        if (c + 1 < line.length) {
          text.append("  ");
        }
      }
      out.append(text.toString().stripTrailing()).append('\n');
    }
    if (optimizerStateKeys > 0) {
      out.append("(")
          .append(optimizerStateKeys)
          .append(" pretrained optimizer slots and step counters are not loaded)\n");
    }
    return out.toString();
  }
}
