package io.rnnkit.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TInt32;

/**
 * A loaded SavedModel whose signatures can be run with raw tensors. Every call checks the fed
 * tensors against the signature (names, dtypes, ranks, fixed dimensions, one batch size, {@code
 * lengths} within {@code [0, T]}) and raises {@link IllegalArgumentException} naming the input, so
 * bad input never reaches the native runtime. A rejected call leaves the model usable.
 *
 * <p>Safe to call from many threads: TensorFlow sessions run concurrent calls. {@link #close()}
 * waits for calls in flight, then frees the native model; later calls raise {@link
 * IllegalStateException}.
 */
public final class ServingModel implements AutoCloseable {

  private final Path directory;
  private final SavedModelBundle bundle;
  private final Map<String, SignatureDef> signatures;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private ServingModel(Path directory) {
    if (!Files.isRegularFile(directory.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException(
          "no SavedModel in "
              + directory
              + ": saved_model.pb is missing; pass a version folder such as savedmodels/NAME/1");
    }
    this.directory = directory;
    this.bundle = SavedModelBundle.load(directory.toString(), SavedModelBundle.DEFAULT_TAG);
    Map<String, SignatureDef> kept = new LinkedHashMap<>();
    bundle
        .metaGraphDef()
        .getSignatureDefMap()
        .forEach(
            (key, signature) -> {
              if (!key.equals(SavedModelExporter.INIT_OP_KEY)) {
                kept.put(key, signature);
              }
            });
    this.signatures = Map.copyOf(kept);
  }

  /** Loads the SavedModel version folder {@code directory}, such as {@code savedmodels/x/1}. */
  public static ServingModel load(Path directory) {
    return new ServingModel(directory);
  }

  /** Returns the folder this model was loaded from. */
  public Path directory() {
    return directory;
  }

  /** Returns the keys of the callable signatures, sorted. */
  public Set<String> signatureKeys() {
    return new TreeSet<>(signatures.keySet());
  }

  /** Returns the definition of signature {@code key}. */
  public SignatureDef signature(String key) {
    SignatureDef signature = signatures.get(key);
    if (signature == null) {
      throw new IllegalArgumentException(
          "signature must be one of " + signatureKeys() + ", got '" + key + "'");
    }
    return signature;
  }

  /**
   * Runs signature {@code key}. Inputs with a default value in the signature, such as {@code
   * lengths}, may be left out.
   *
   * @param inputs tensors by input alias; the caller keeps ownership and closes them
   * @return every output by alias; the caller closes the returned object
   * @throws IllegalArgumentException when an input is missing, unknown, or of the wrong dtype,
   *     rank, dimension or batch size, or when a {@code lengths} value is outside {@code [0, T]}
   */
  public Outputs run(String key, Map<String, ? extends Tensor> inputs) {
    SignatureDef signature = signature(key);
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the model in " + directory + " is closed");
      }
      InputChecks.check(key, signature, inputs);
      Session.Runner runner = bundle.session().runner();
      inputs.forEach(
          (alias, tensor) -> runner.feed(signature.getInputsOrThrow(alias).getName(), tensor));
      List<String> aliases = new ArrayList<>(signature.getOutputsMap().keySet());
      for (String alias : aliases) {
        runner.fetch(signature.getOutputsOrThrow(alias).getName());
      }
      return new Outputs(aliases, runner.run());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Waits for running calls to finish and frees the native model. Idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        bundle.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Output tensors of one call, by alias. Closing it frees them. */
  public static final class Outputs implements AutoCloseable {
    private final Map<String, Integer> indices = new LinkedHashMap<>();
    private final Result result;

    private Outputs(List<String> aliases, Result result) {
      for (int i = 0; i < aliases.size(); i++) {
        indices.put(aliases.get(i), i);
      }
      this.result = result;
    }

    /** Returns output {@code alias}, typed by the caller; it stays owned by this object. */
    @SuppressWarnings("unchecked")
    public <T extends Tensor> T get(String alias) {
      Integer index = indices.get(alias);
      if (index == null) {
        throw new IllegalArgumentException(
            "output must be one of " + indices.keySet() + ", got '" + alias + "'");
      }
      return (T) result.get(index);
    }

    @Override
    public void close() {
      result.close();
    }
  }

  /** Checks fed tensors against a signature before they reach the native runtime. */
  static final class InputChecks {
    private InputChecks() {}

    static void check(String key, SignatureDef signature, Map<String, ? extends Tensor> inputs) {
      for (String alias : inputs.keySet()) {
        if (!signature.containsInputs(alias)) {
          throw new IllegalArgumentException(
              "input must be one of "
                  + new TreeSet<>(signature.getInputsMap().keySet())
                  + " of signature "
                  + key
                  + ", got '"
                  + alias
                  + "'");
        }
      }
      long batch = -1;
      String batchInput = null;
      for (Map.Entry<String, TensorInfo> entry :
          new java.util.TreeMap<>(signature.getInputsMap()).entrySet()) {
        String alias = entry.getKey();
        Tensor tensor = inputs.get(alias);
        if (tensor == null) {
          if (!signature.containsDefaults(alias)) {
            throw new IllegalArgumentException(
                "input '" + alias + "' of signature " + key + " is missing; feed it");
          }
          continue;
        }
        checkTensor(alias, entry.getValue(), tensor);
        long rows = tensor.shape().size(0);
        if (batch < 0) {
          batch = rows;
          batchInput = alias;
        } else if (rows != batch) {
          throw new IllegalArgumentException(
              "batch size of '"
                  + alias
                  + "' must equal that of '"
                  + batchInput
                  + "' ("
                  + batch
                  + "), got "
                  + rows);
        }
      }
      if (batch == 0) {
        throw new IllegalArgumentException(
            "batch size must be at least 1, got 0; pass at least one row");
      }
      checkLengths(inputs);
    }

    private static void checkTensor(String alias, TensorInfo info, Tensor tensor) {
      DataType expected = info.getDtype();
      DataType actual = tensor.dataType();
      if (actual != expected) {
        throw new IllegalArgumentException(
            "dtype of '" + alias + "' must be " + expected + ", got " + actual);
      }
      TensorShapeProto shape = info.getTensorShape();
      long[] dims = tensor.shape().asArray();
      if (dims.length != shape.getDimCount()) {
        throw new IllegalArgumentException(
            "rank of '"
                + alias
                + "' must be "
                + shape.getDimCount()
                + ", got "
                + dims.length
                + " (shape "
                + tensor.shape()
                + ")");
      }
      for (int d = 0; d < dims.length; d++) {
        long fixed = shape.getDim(d).getSize();
        if (fixed >= 0 && dims[d] != fixed) {
          throw new IllegalArgumentException(
              "dimension "
                  + d
                  + " of '"
                  + alias
                  + "' must be "
                  + fixed
                  + ", got "
                  + dims[d]
                  + " (shape "
                  + tensor.shape()
                  + ")");
        }
      }
    }

    private static void checkLengths(Map<String, ? extends Tensor> inputs) {
      Tensor lengths = inputs.get(ServingNames.LENGTHS);
      Tensor tokens = inputs.get(ServingNames.TOKENS);
      if (lengths == null || tokens == null) {
        return;
      }
      long width = tokens.shape().size(1);
      TInt32 values = (TInt32) lengths;
      for (long row = 0; row < values.shape().size(0); row++) {
        int length = values.getInt(row);
        if ((length < 0 && length != ServingGraphs.DERIVE_LENGTH) || length > width) {
          throw new IllegalArgumentException(
              "lengths["
                  + row
                  + "] must be in [0, "
                  + width
                  + "] (the width of 'tokens'), or -1 to count the row's non-empty tokens, got "
                  + length);
        }
      }
    }
  }
}
