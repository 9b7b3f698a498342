package io.rnnkit.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes scalar summaries into TensorFlow event files with TensorFlow's own summary kernels ({@code
 * CreateSummaryFileWriter}, {@code WriteScalarSummary}), so that {@code tensorboard --logdir} reads
 * them. It runs in a graph and session of its own, apart from the model's.
 */
public final class TensorBoardWriter implements AutoCloseable {

  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TString> tag;
  private final Placeholder<TInt64> step;
  private final Placeholder<TFloat32> value;
  private final Op write;
  private final Op flush;
  private final Op closeWriter;
  private final Placeholder<TString> event;
  private final Op importEvent;

  /** Opens a new event file in {@code folder}, creating the folder. */
  public TensorBoardWriter(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to create TensorBoard folder " + folder, e);
    }
    Ops tf = Ops.create(graph);
    SummaryWriter writer = tf.summary.summaryWriter(SummaryWriter.sharedName("rnnkit"));
    Op create =
        tf.summary.createSummaryFileWriter(
            writer,
            tf.constant(folder.toAbsolutePath().toString()),
            tf.constant(100),
            tf.constant(10_000),
            tf.constant(".rnnkit"));
    tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    write = tf.summary.writeScalarSummary(writer, step, tag, value);
    flush = tf.summary.flushSummaryWriter(writer);
    closeWriter = tf.summary.closeSummaryWriter(writer);
    event = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    importEvent = tf.summary.importEvent(writer, event);
    session = new Session(graph);
    session.runner().addTarget(create).run();
  }

  /** Adds scalar {@code name} = {@code scalar} at {@code globalStep}. */
  public void scalar(String name, long globalStep, double scalar) {
    try (TString tagTensor = TString.scalarOf(name);
        TInt64 stepTensor = TInt64.scalarOf(globalStep);
        TFloat32 valueTensor = TFloat32.scalarOf((float) scalar)) {
      session
          .runner()
          .feed(tag, tagTensor)
          .feed(step, stepTensor)
          .feed(value, valueTensor)
          .addTarget(write)
          .run();
    }
  }

  /**
   * Marks a restart at {@code step}: writes a {@code SessionLog} START event there. When
   * TensorBoard reads it, it drops the events of earlier files at {@code step} and later, which a
   * killed run wrote after its last checkpoint and the resumed run writes again.
   */
  public void restartAt(long step) {
    Event start =
        Event.newBuilder()
            .setWallTime(System.currentTimeMillis() / 1000.0)
            .setStep(step)
            .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START))
            .build();
    try (TString serialized = TString.tensorOfBytes(NdArrays.scalarOfObject(start.toByteArray()))) {
      session.runner().feed(event, serialized).addTarget(importEvent).run();
    }
  }

  /** Writes buffered events to the file. */
  public void flush() {
    session.runner().addTarget(flush).run();
  }

  @Override
  public void close() {
    try {
      session.runner().addTarget(closeWriter).run();
    } finally {
      session.close();
      graph.close();
    }
  }
}
