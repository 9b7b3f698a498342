package io.rnnkit.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws {@code curves.png} from a run's {@code metrics.jsonl}: the training loss against the step
 * on the left axis and the validation metric after each epoch on the right axis. Records repeated
 * by a resumed run count once, the later one winning.
 */
public final class CurvePlot {
  private CurvePlot() {}

  /** Draws the curves of {@code metricsFile} into the PNG {@code target}, 900 by 500 pixels. */
  public static void draw(Path metricsFile, Path target) {
    System.setProperty("java.awt.headless", "true");
    Map<Long, Double> trainLoss = new TreeMap<>();
    Map<Long, Double> validation = new TreeMap<>();
    String metric = "validation";
    try {
      List<String> lines = Files.readAllLines(metricsFile, StandardCharsets.UTF_8);
      for (String line : lines) {
        JsonNode record = RunFolder.JSON.readTree(line);
        long step = record.get("step").asLong();
        if ("train".equals(record.get("kind").asText())) {
          trainLoss.put(step, record.get("loss").asDouble());
        } else if ("epoch".equals(record.get("kind").asText())) {
          metric = record.get("validation_metric").asText();
          validation.put(step, record.get("validation").asDouble());
          trainLoss.putIfAbsent(step, record.get("train_loss").asDouble());
        }
      }
      JFreeChart chart = chart(series("training loss", trainLoss), series(metric, validation));
      Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
      ChartUtils.saveChartAsPNG(temporary.toFile(), chart, 900, 500);
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to draw " + target + " from " + metricsFile, e);
    }
  }

  private static XYSeries series(String name, Map<Long, Double> points) {
    XYSeries series = new XYSeries(name);
    Iterator<Map.Entry<Long, Double>> it = points.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Double> point = it.next();
      if (Double.isFinite(point.getValue())) {
        series.add(point.getKey(), point.getValue());
      }
    }
    return series;
  }

  private static JFreeChart chart(XYSeries loss, XYSeries validation) {
    XYPlot plot = new XYPlot();
    plot.setDomainAxis(new NumberAxis("step"));
    NumberAxis lossAxis = new NumberAxis(loss.getKey().toString());
    lossAxis.setAutoRangeIncludesZero(false);
    plot.setRangeAxis(0, lossAxis);
    plot.setDataset(0, new XYSeriesCollection(loss));
    XYLineAndShapeRenderer lossRenderer = new XYLineAndShapeRenderer(true, false);
    lossRenderer.setSeriesPaint(0, new Color(0x1f77b4));
    lossRenderer.setSeriesStroke(0, new BasicStroke(1.5f));
    plot.setRenderer(0, lossRenderer);
    NumberAxis validationAxis = new NumberAxis(validation.getKey().toString());
    validationAxis.setAutoRangeIncludesZero(false);
    plot.setRangeAxis(1, validationAxis);
    plot.setDataset(1, new XYSeriesCollection(validation));
    plot.mapDatasetToRangeAxis(1, 1);
    XYLineAndShapeRenderer validationRenderer = new XYLineAndShapeRenderer(true, true);
    validationRenderer.setSeriesPaint(0, new Color(0xd62728));
    plot.setRenderer(1, validationRenderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart("training curves", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }
}
