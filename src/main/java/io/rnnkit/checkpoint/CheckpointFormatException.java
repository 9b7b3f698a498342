package io.rnnkit.checkpoint;

import java.io.IOException;

/**
 * A checkpoint file that is missing, truncated, corrupt or uses a feature this reader does not
 * support. The message names the file and, where one is involved, the tensor key.
 */
public class CheckpointFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public CheckpointFormatException(String message) {
    super(message);
  }

  public CheckpointFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
