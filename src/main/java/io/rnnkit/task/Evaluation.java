package io.rnnkit.task;

import java.util.List;

/**
 * Classification results: gold and predicted class ids per example, with accuracy, macro-F1, the
 * confusion matrix and the majority-class baseline derived from them.
 */
public record Evaluation(List<String> labels, int[] gold, int[] predicted) {

  /** Returns the fraction of examples predicted correctly. */
  public double accuracy() {
    int correct = 0;
    for (int i = 0; i < gold.length; i++) {
      if (gold[i] == predicted[i]) {
        correct++;
      }
    }
    return gold.length == 0 ? 0 : (double) correct / gold.length;
  }

  /** Returns {@code [gold][predicted]} counts. */
  public int[][] confusion() {
    int[][] counts = new int[labels.size()][labels.size()];
    for (int i = 0; i < gold.length; i++) {
      counts[gold[i]][predicted[i]]++;
    }
    return counts;
  }

  /** Returns the unweighted mean of per-class F1 over classes that occur in gold or predicted. */
  public double macroF1() {
    int[][] counts = confusion();
    double sum = 0;
    int classes = 0;
    for (int c = 0; c < labels.size(); c++) {
      int truePositive = counts[c][c];
      int goldCount = 0;
      int predictedCount = 0;
      for (int other = 0; other < labels.size(); other++) {
        goldCount += counts[c][other];
        predictedCount += counts[other][c];
      }
      if (goldCount == 0 && predictedCount == 0) {
        continue;
      }
      classes++;
      sum += 2.0 * truePositive / (goldCount + predictedCount);
    }
    return classes == 0 ? 0 : sum / classes;
  }

  /** Returns the accuracy of always predicting class {@code classId}. */
  public double constantAccuracy(int classId) {
    int hits = 0;
    for (int g : gold) {
      if (g == classId) {
        hits++;
      }
    }
    return gold.length == 0 ? 0 : (double) hits / gold.length;
  }

  /** Returns the accuracy of always predicting the most frequent gold class. */
  public double majorityBaseline() {
    int[] counts = new int[labels.size()];
    int best = 0;
    for (int g : gold) {
      counts[g]++;
      best = Math.max(best, counts[g]);
    }
    return gold.length == 0 ? 0 : (double) best / gold.length;
  }
}
