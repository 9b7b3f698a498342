package io.rnnkit.checkpoint;

import org.tensorflow.proto.DataType;

/** Element sizes of the fixed-size dtypes that a tensor bundle stores as raw bytes. */
final class DtypeSizes {
  private DtypeSizes() {}

  /** Returns the bytes per element, or 0 for dtypes without a fixed size (string, variant). */
  static int bytesPerElement(DataType dtype) {
    return switch (dtype) {
      case DT_BOOL, DT_INT8, DT_UINT8, DT_QINT8, DT_QUINT8 -> 1;
      case DT_HALF, DT_BFLOAT16, DT_INT16, DT_UINT16, DT_QINT16, DT_QUINT16 -> 2;
      case DT_FLOAT, DT_INT32, DT_UINT32, DT_QINT32 -> 4;
      case DT_DOUBLE, DT_INT64, DT_UINT64, DT_COMPLEX64 -> 8;
      case DT_COMPLEX128 -> 16;
      default -> 0;
    };
  }
}
